import { describe, expect, it } from "vitest";
import { parseLibpqConnectionString } from "./libpq-connection-string.js";

describe("parseLibpqConnectionString", () => {
  it("reads key=value pairs separated by whitespace", () => {
    const parameters = parseLibpqConnectionString("host=db.example port=5433 dbname=minio_events user=minio password=s3cr3t sslmode=disable");
    expect(Object.fromEntries(parameters)).toEqual({
      host: "db.example",
      port: "5433",
      dbname: "minio_events",
      user: "minio",
      password: "s3cr3t",
      sslmode: "disable",
    });
  });

  it("accepts spaces around =", () => {
    const parameters = parseLibpqConnectionString("  host = localhost\tport= 5432  ");
    expect(Object.fromEntries(parameters)).toEqual({ host: "localhost", port: "5432" });
  });

  it("unescapes \\' and \\\\ inside quotes", () => {
    const parameters = parseLibpqConnectionString(`user='a b\\'c\\\\d' dbname='' host=h`);
    expect(parameters.get("user")).toBe("a b'c\\d");
    expect(parameters.get("dbname")).toBe("");
    expect(parameters.get("host")).toBe("h");
  });

  it("reads a postgres:// URL with percent-encoded credentials and query parameters", () => {
    const parameters = parseLibpqConnectionString("postgresql://us%40er:p%40ss%3Aword@[::1]:6543/events?sslmode=require&application_name=minio");
    expect(Object.fromEntries(parameters)).toEqual({
      host: "::1",
      port: "6543",
      user: "us@er",
      password: "p@ss:word",
      dbname: "events",
      sslmode: "require",
      application_name: "minio",
    });
  });

  it("rejects a key without = and an unterminated quote, without echoing values", () => {
    expect(() => parseLibpqConnectionString("host=localhost dbname")).toThrow('missing "="');
    // A stray quote must not leak the rest of a password through the error message.
    expect(() => parseLibpqConnectionString("password='it''s'")).toThrow(/^missing "=" after a parameter name/);
    let message = "";
    try {
      parseLibpqConnectionString("host=localhost password='hunter2");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/unterminated quoted string/);
    expect(message).not.toContain("hunter2");
  });
});
