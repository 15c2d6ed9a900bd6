import { ConfigError } from "@s3notify/core";
import { describe, expect, it } from "vitest";
import { UNLIMITED_POOL_SIZE } from "./parse-postgres-config.js";
import { postgresPlugin } from "./postgres-plugin.js";
import { isValidPostgresTableName } from "./postgres-table-name.js";
import { fixture } from "./test-support/fixtures.js";

const CONNECTION = "host=127.0.0.1 port=5432 dbname=events user=minio password=hunter2 sslmode=disable";

function configError(values: Record<string, string>): ConfigError {
  try {
    fixture.parse(values);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("postgres plugin keys", () => {
  it("declares MinIO's keys with their defaults and the discrete connection keys", () => {
    const keys = Object.fromEntries(postgresPlugin.keys.map((key) => [key.name, key]));
    expect(keys.format?.default).toBe("namespace");
    expect(keys.max_open_connections?.default).toBe("2");
    expect(keys.connection_string?.secret).toBe(true);
    expect(keys.password?.secret).toBe(true);
    expect(Object.keys(keys).sort()).toEqual(
      ["connection_string", "database", "format", "host", "max_open_connections", "password", "port", "table", "user", "username"].sort(),
    );
    expect(postgresPlugin.type).toBe("postgres");
    expect(postgresPlugin.arnType).toBe("postgresql");
  });
});

describe("parsePostgresConfig", () => {
  it("parses a libpq connection string", () => {
    const config = fixture.parse({ connection_string: CONNECTION, table: "events" });
    expect(config.format).toBe("namespace");
    expect(config.poolSize).toBe(2);
    expect(config.connection).toMatchObject({ host: "127.0.0.1", port: 5432, database: "events", user: "minio", sslMode: "disable" });
    expect(config.connection.password?.reveal()).toBe("hunter2");
    // The password never appears when the config is printed or serialised.
    expect(JSON.stringify(config)).not.toContain("hunter2");
    expect(String(config.connection.password)).toBe("[redacted]");
  });

  it("normalises the format to lower case (MinIO validates case-insensitively but writes nothing for `Access`)", () => {
    expect(fixture.parse({ connection_string: CONNECTION, table: "t", format: "Access" }).format).toBe("access");
    expect(fixture.parse({ connection_string: CONNECTION, table: "t", format: "NAMESPACE" }).format).toBe("namespace");
  });

  it("defaults sslmode to require, like lib/pq", () => {
    expect(fixture.parse({ connection_string: "host=h dbname=d", table: "t" }).connection.sslMode).toBe("require");
  });

  it("uses the discrete keys when connection_string is empty (and the legacy `user`)", () => {
    const config = fixture.parse({ host: "db", port: "6432", username: "u", password: " pw ", database: "d", table: "t" });
    expect(config.connection).toMatchObject({ host: "db", port: 6432, user: "u", database: "d", sslMode: "disable" });
    expect(config.connection.password?.reveal()).toBe(" pw ");
    expect(fixture.parse({ host: "db", user: "legacy", table: "t" }).connection).toMatchObject({ user: "legacy", port: 5432 });
  });

  it("maps max_open_connections 0 (unlimited) to a pool of UNLIMITED_POOL_SIZE", () => {
    expect(fixture.parse({ connection_string: CONNECTION, table: "t", max_open_connections: "0" }).poolSize).toBe(UNLIMITED_POOL_SIZE);
    expect(fixture.parse({ connection_string: CONNECTION, table: "t", max_open_connections: "7" }).poolSize).toBe(7);
  });

  const invalid: [string, Record<string, string>, string, RegExp][] = [
    ["unknown format", { format: "json" }, "format", /unrecognized format value/],
    ["empty table", { table: "" }, "table", /empty table name/],
    ["SQL injection in the table", { table: "t; DROP TABLE x" }, "table", /invalid PostgreSQL table/],
    ["schema-qualified table", { table: "public.events" }, "table", /invalid PostgreSQL table/],
    ["quoted table with an inner quote", { table: '"a"";drop table x;--"' }, "table", /invalid PostgreSQL table/],
    ["table starting with a digit", { table: "1events" }, "table", /invalid PostgreSQL table/],
    ["negative max_open_connections", { max_open_connections: "-1" }, "max_open_connections", /cannot be less than zero/],
    ["non-numeric max_open_connections", { max_open_connections: "two" }, "max_open_connections", /invalid integer/],
    ["neither connection_string nor host", { connection_string: "" }, "connection_string", /connection_string or host/],
    ["bad discrete port", { connection_string: "", host: "h", port: "99999" }, "port", /invalid port/],
    ["bad sslmode", { connection_string: "host=h sslmode=maybe" }, "connection_string", /unsupported sslmode/],
  ];
  for (const [description, values, key, reason] of invalid) {
    it(`refuses ${description} with a ConfigError naming ${key}`, () => {
      const error = configError({ connection_string: CONNECTION, table: "events", ...values });
      expect(error.key).toBe(key);
      expect(error.subsystem).toBe("notify_postgres");
      expect(error.message).toMatch(reason);
      expect(error.message).not.toContain("hunter2");
    });
  }

  it("never echoes the connection string in its errors", () => {
    const error = configError({ connection_string: "host=h password='hunter2", table: "t" });
    expect(error.key).toBe("connection_string");
    expect(error.message).not.toContain("hunter2");
  });
});

describe("isValidPostgresTableName", () => {
  it("follows MinIO's rule", () => {
    for (const name of ["events", "_e", "évènements", "t$1", '"My Table"', '"x;y"']) expect(isValidPostgresTableName(name)).toBe(true);
    for (const name of ["", '""', "a b", "a-b", "$a", "a.b", "t;", '"a"b"', "t\u0000"]) expect(isValidPostgresTableName(name)).toBe(false);
  });
});
