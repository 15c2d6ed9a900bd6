import { describe, expect, it } from "vitest";
import { parseGoDuration } from "./go-duration.js";
import { parseMysqlDsn, splitHostPort } from "./mysql-dsn.js";

describe("parseMysqlDsn (go-sql-driver rules)", () => {
  it("reads user, password, tcp address, database and params", () => {
    const dsn = parseMysqlDsn("minio:s3cr3t@tcp(db.example:3307)/minio_events?tls=skip-verify&timeout=5s");
    expect(dsn).toMatchObject({ user: "minio", password: "s3cr3t", net: "tcp", address: "db.example:3307", database: "minio_events" });
    expect(Object.fromEntries(dsn.params)).toEqual({ tls: "skip-verify", timeout: "5s" });
  });

  it("lets a password hold @, : and / (last / and last @ split, first : separates)", () => {
    const dsn = parseMysqlDsn("user:p@ss:w/rd@tcp(127.0.0.1:3306)/db");
    expect(dsn).toMatchObject({ user: "user", password: "p@ss:w/rd", address: "127.0.0.1:3306", database: "db" });
  });

  it("defaults the network to tcp and accepts unix sockets and an empty left part", () => {
    expect(parseMysqlDsn("root@/db")).toMatchObject({ user: "root", net: "tcp", address: "", database: "db" });
    expect(parseMysqlDsn("/db")).toMatchObject({ user: "", net: "tcp", database: "db" });
    expect(parseMysqlDsn("u@unix(/var/run/mysqld/mysqld.sock)/db")).toMatchObject({ net: "unix", address: "/var/run/mysqld/mysqld.sock" });
  });

  it("reports the driver's errors without echoing the DSN", () => {
    expect(() => parseMysqlDsn("user:hunter2@tcp(host:3306)")).toThrow("missing the slash");
    expect(() => parseMysqlDsn("user:hunter2@tcp(host:3306/db")).toThrow("network address not terminated");
    expect(() => parseMysqlDsn("user:hunter2@tcp(host:3306)/db?tls")).toThrow(/invalid DSN/);
    for (const bad of ["user:hunter2@tcp(host:3306)", "user:hunter2@tcp(host:3306/db"]) {
      try {
        parseMysqlDsn(bad);
      } catch (error) {
        expect((error as Error).message).not.toContain("hunter2");
      }
    }
  });

  it("splits host and port, IPv6 included", () => {
    expect(splitHostPort("h:1")).toEqual({ host: "h", port: "1" });
    expect(splitHostPort("[::1]:3306")).toEqual({ host: "::1", port: "3306" });
    expect(splitHostPort("h")).toEqual({ host: "h", port: undefined });
  });
});

describe("parseGoDuration", () => {
  it("parses Go durations in milliseconds", () => {
    expect(parseGoDuration("5s")).toBe(5000);
    expect(parseGoDuration("1m30s")).toBe(90_000);
    expect(parseGoDuration("250ms")).toBe(250);
    expect(parseGoDuration("1.5h")).toBe(5_400_000);
    expect(parseGoDuration("0")).toBe(0);
    expect(parseGoDuration("5")).toBeUndefined();
    expect(parseGoDuration("abc")).toBeUndefined();
  });
});
