import { ConfigError } from "@s3notify/core";
import { describe, expect, it } from "vitest";
import { mysqlPlugin } from "./mysql-plugin.js";
import { createTableStatement } from "./mysql-statements.js";
import { isValidMysqlTableName } from "./mysql-table-name.js";
import { UNLIMITED_POOL_SIZE } from "./parse-mysql-config.js";
import { fixture } from "./test-support/fixtures.js";

const DSN = "minio:hunter2@tcp(127.0.0.1:3306)/events";

function configError(values: Record<string, string>): ConfigError {
  try {
    fixture.parse(values);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("mysql plugin keys", () => {
  it("declares MinIO's keys with their defaults and the discrete connection keys", () => {
    const keys = Object.fromEntries(mysqlPlugin.keys.map((key) => [key.name, key]));
    expect(keys.format?.default).toBe("namespace");
    expect(keys.max_open_connections?.default).toBe("2");
    expect(keys.dsn_string?.secret).toBe(true);
    expect(keys.password?.secret).toBe(true);
    expect(keys.username?.jsonName).toBe("user");
    expect(Object.keys(keys).sort()).toEqual(
      ["database", "dsn_string", "format", "host", "max_open_connections", "password", "port", "table", "username"].sort(),
    );
    expect(mysqlPlugin.type).toBe("mysql");
    expect(mysqlPlugin.arnType).toBe("mysql");
  });
});

describe("parseMysqlConfig", () => {
  it("parses a go-sql-driver DSN", () => {
    const config = fixture.parse({ dsn_string: `${DSN}?tls=skip-verify&timeout=3s`, table: "events" });
    expect(config).toMatchObject({ format: "namespace", table: "events", poolSize: 2 });
    expect(config.connection).toMatchObject({ host: "127.0.0.1", port: 3306, user: "minio", database: "events", tls: "skip-verify", connectTimeoutMs: 3000 });
    expect(config.connection.password?.reveal()).toBe("hunter2");
    expect(JSON.stringify(config)).not.toContain("hunter2");
  });

  it("normalises the format to lower case and accepts tls=true", () => {
    const config = fixture.parse({ dsn_string: `${DSN}?tls=true`, table: "t", format: "ACCESS" });
    expect(config.format).toBe("access");
    expect(config.connection.tls).toBe("true");
  });

  it("uses the discrete keys when dsn_string is empty", () => {
    const config = fixture.parse({ host: "db", port: "3307", username: "u", password: "pw", database: "d", table: "t", max_open_connections: "0" });
    expect(config.connection).toMatchObject({ host: "db", port: 3307, user: "u", database: "d", tls: "false" });
    expect(config.poolSize).toBe(UNLIMITED_POOL_SIZE);
  });

  const invalid: [string, Record<string, string>, string, RegExp][] = [
    ["unknown format", { format: "json" }, "format", /unrecognized format/],
    ["empty table", { table: "" }, "table", /table unspecified/],
    ["SQL injection in the table", { table: "t; DROP TABLE x" }, "table", /invalid MySQL table/],
    ["a backquote inside a quoted table", { table: "`a`;DROP TABLE x;`" }, "table", /invalid MySQL table/],
    ["a qualified table", { table: "db.events" }, "table", /invalid MySQL table/],
    ["negative max_open_connections", { max_open_connections: "-3" }, "max_open_connections", /cannot be less than zero/],
    ["a DSN without the slash", { dsn_string: "minio:hunter2@tcp(h:3306)" }, "dsn_string", /missing the slash/],
    ["a DSN without a database", { dsn_string: "minio:hunter2@tcp(h:3306)/" }, "dsn_string", /no database name/],
    ["a named TLS config", { dsn_string: `${DSN}?tls=custom` }, "dsn_string", /tls must be/],
    ["neither dsn_string nor host", { dsn_string: "" }, "dsn_string", /dsn_string or host/],
    ["discrete keys without database", { dsn_string: "", host: "h" }, "database", /database unspecified/],
  ];
  for (const [description, values, key, reason] of invalid) {
    it(`refuses ${description} with a ConfigError naming ${key}`, () => {
      const error = configError({ dsn_string: DSN, table: "events", ...values });
      expect(error.key).toBe(key);
      expect(error.subsystem).toBe("notify_mysql");
      expect(error.message).toMatch(reason);
      expect(error.message).not.toContain("hunter2");
    });
  }
});

describe("isValidMysqlTableName", () => {
  it("accepts plain and backquoted identifiers only", () => {
    for (const name of ["events", "e_1", "$x", "1events", "`My Table`", "`x;y`"]) expect(isValidMysqlTableName(name)).toBe(true);
    for (const name of ["", "``", "123", "a b", "a-b", "a.b", "t;", "`a`b`", "é", "x".repeat(65)]) expect(isValidMysqlTableName(name)).toBe(false);
  });
});

describe("createTableStatement", () => {
  it("is MinIO's statement for MySQL and a UNIQUE KEY variant for MariaDB", () => {
    expect(createTableStatement("t", "namespace", "mysql")).toBe(
      "CREATE TABLE t (key_name VARCHAR(3072) NOT NULL, key_hash CHAR(64) GENERATED ALWAYS AS (SHA2(key_name, 256)) STORED NOT NULL PRIMARY KEY, value JSON) CHARACTER SET = utf8mb4 COLLATE = utf8mb4_bin ROW_FORMAT = Dynamic;",
    );
    expect(createTableStatement("t", "namespace", "mariadb")).toContain("STORED, value JSON, UNIQUE KEY (key_hash))");
    expect(createTableStatement("t", "access", "mariadb")).toBe("CREATE TABLE t (event_time DATETIME NOT NULL, event_data JSON) ROW_FORMAT = Dynamic;");
  });
});
