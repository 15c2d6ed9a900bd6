import { type EventRecord, isRetryable, recordsJson, S3NotifyError, TargetBatchError } from "@s3notify/core";
import { eventually, freePort, type RunningService, startService } from "@s3notify/testkit";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MysqlTarget } from "./mysql-target.js";
import { event, fixture, put, remove } from "./test-support/fixtures.js";

// Runs against a throw-away MariaDB (Debian's mariadb-server, 10.11 on the reference machine) on loopback.
const DATABASE = "s3notify";
let service: RunningService;
let admin: mysql.Connection;
const targets: MysqlTarget[] = [];
let tableCounter = 0;

function dsn(): string {
  return `root@tcp(127.0.0.1:${service.port})/${DATABASE}`;
}

function newTable(prefix = "events"): string {
  tableCounter += 1;
  return `${prefix}_${tableCounter}`;
}

function target(table: string, format: string, extra: Record<string, string> = {}): MysqlTarget {
  const made = fixture.create<MysqlTarget>({ dsn_string: dsn(), table, format, ...extra });
  targets.push(made);
  return made;
}

async function adminConnection(): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({ host: "127.0.0.1", port: service.port, user: "root", timezone: "Z" });
  // The outage test stops the server under this connection: it is replaced afterwards.
  connection.on("error", () => undefined);
  return connection;
}

const parseJson = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);

async function namespaceRows(table: string): Promise<Map<string, unknown>> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>(`SELECT key_name, value FROM ${DATABASE}.${table} ORDER BY key_name`);
  return new Map(rows.map((row) => [row.key_name as string, parseJson(row.value)]));
}

async function accessRows(table: string): Promise<{ event_time: Date; event_data: unknown }[]> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>(`SELECT event_time, event_data FROM ${DATABASE}.${table}`);
  return rows.map((row) => ({ event_time: row.event_time as Date, event_data: parseJson(row.event_data) }));
}

const asValue = (record: EventRecord) => JSON.parse(recordsJson(record));

/** What MinIO leaves in a namespace table after `records`, one Save at a time. */
function expectedNamespace(records: readonly EventRecord[]): Map<string, unknown> {
  const state = new Map<string, unknown>();
  for (const record of records) {
    const key = `${record.s3.bucket.name}/${decodeURIComponent(record.s3.object.key.replace(/\+/g, " "))}`;
    if (record.eventName === "s3:ObjectRemoved:Delete") state.delete(key);
    else state.set(key, asValue(record));
  }
  return new Map([...state.entries()].sort(([left], [right]) => Buffer.compare(Buffer.from(left), Buffer.from(right))));
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  service = await startService("mariadb");
  admin = await adminConnection();
  await admin.query(`CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4`);
});

afterAll(async () => {
  for (const made of targets) await made.close();
  await admin?.end().catch(() => undefined);
  await service?.dispose();
});

describe("MySQL target on MariaDB, namespace format", () => {
  const sequence = () => [
    put("photos", "a.jpg", 1),
    put("photos", "b.jpg", 2),
    put("photos", "a.jpg", 3),
    remove("photos", "b.jpg"),
    put("photos", "dir/naïve file+1.txt", 4),
    event("s3:ObjectRemoved:DeleteMarkerCreated", "photos", "c.jpg"),
    event("s3:ObjectAccessed:Get", "photos", "a.jpg"),
    remove("photos", "never-existed"),
  ];

  it("detects MariaDB, creates the compatible table and leaves exactly MinIO's rows, one event per send", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    await made.open();
    expect(made.flavour).toBe("mariadb");
    const records = sequence();
    for (const record of records) await made.send([record]);
    expect(await namespaceRows(table)).toEqual(expectedNamespace(records));
    expect([...(await namespaceRows(table)).keys()]).toEqual(["photos/a.jpg", "photos/c.jpg", "photos/dir/naïve file+1.txt"]);
  });

  it("leaves the same rows when the sequence comes as one batch", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    const records = sequence();
    await made.send(records);
    expect(await namespaceRows(table)).toEqual(expectedNamespace(records));
  });

  it("keeps per-key order inside a batch: Put,Delete → absent; Delete,Put → present; Put,Delete,Put → last Put", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    await made.send([put("b", "y", 1)]);
    const records = [put("b", "x", 1), remove("b", "x"), remove("b", "y"), put("b", "y", 2), put("b", "z", 1), remove("b", "z"), put("b", "z", 3)];
    await made.send(records);
    const rows = await namespaceRows(table);
    expect([...rows.keys()]).toEqual(["b/y", "b/z"]);
    expect(rows.get("b/y")).toEqual(asValue(records[3] as EventRecord));
    expect(rows.get("b/z")).toEqual(asValue(records[6] as EventRecord));
  });

  it("creates the same columns as MinIO's DDL (key_name, key_hash = SHA2(key_name, 256) STORED, value JSON)", async () => {
    const table = newTable();
    await target(table, "namespace").open();
    const [columns] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY, EXTRA, GENERATION_EXPRESSION
         FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`,
      [DATABASE, table],
    );
    expect(columns.map((column) => column.COLUMN_NAME)).toEqual(["key_name", "key_hash", "value"]);
    expect(columns[0]).toMatchObject({ COLUMN_TYPE: "varchar(3072)", IS_NULLABLE: "NO" });
    expect(columns[1]).toMatchObject({ COLUMN_TYPE: "char(64)", COLUMN_KEY: "UNI", EXTRA: "STORED GENERATED" });
    expect(String(columns[1]?.GENERATION_EXPRESSION).toLowerCase()).toBe("sha2(`key_name`,256)");
    // MariaDB's JSON is LONGTEXT with a json_valid CHECK.
    expect(columns[2]).toMatchObject({ COLUMN_TYPE: "longtext" });
    const [checks] = await admin.query<mysql.RowDataPacket[]>(
      "SELECT CHECK_CLAUSE FROM information_schema.check_constraints WHERE constraint_schema = ? AND table_name = ?",
      [DATABASE, table],
    );
    expect(checks.map((check) => check.CHECK_CLAUSE)).toEqual(["json_valid(`value`)"]);
    const [tables] = await admin.query<mysql.RowDataPacket[]>(
      "SELECT TABLE_COLLATION, ROW_FORMAT FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
      [DATABASE, table],
    );
    expect(tables[0]).toMatchObject({ TABLE_COLLATION: "utf8mb4_bin", ROW_FORMAT: "Dynamic" });
  });

  it("reuses an existing table and its rows", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    await made.send([put("old", "row")]);
    const again = target(table, "namespace");
    await again.send([put("new", "row")]);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["new/row", "old/row"]);
  });

  it("accepts a backquoted table name", async () => {
    const made = target("`Bucket Events`", "namespace");
    await made.send([put("q", "k")]);
    expect([...(await namespaceRows("`Bucket Events`")).keys()]).toEqual(["q/k"]);
  });

  it("writes a batch in one transaction: a failure rolls the whole batch back and is retryable", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    await made.open();
    await admin.query(`CREATE TRIGGER ${DATABASE}.refuse_${table} BEFORE INSERT ON ${DATABASE}.${table} FOR EACH ROW
      BEGIN IF NEW.key_name = 'b/poison' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by trigger'; END IF; END`);
    const batch = [put("b", "first"), put("b", "second"), remove("b", "first"), put("b", "third"), put("b", "poison")];
    const failure = await failureOf(made.send(batch));
    expect(failure).toBeDefined();
    expect(isRetryable(failure)).toBe(true);
    expect((failure as Error).message).toContain("refused by trigger");
    expect((await namespaceRows(table)).size).toBe(0);

    await admin.query(`DROP TRIGGER ${DATABASE}.refuse_${table}`);
    await made.send(batch);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/poison", "b/second", "b/third"]);
  });

  it("refuses only the record that can never be written (key longer than VARCHAR(3072)) and writes the rest", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    const batch = [put("b", "before"), put("b", "k".repeat(3100)), put("b", "after")];
    const failure = await failureOf(made.send(batch));
    expect(failure).toBeInstanceOf(TargetBatchError);
    expect((failure as TargetBatchError).delivered).toEqual([0, 2]);
    expect((failure as TargetBatchError).retryable).toBe(false);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/after", "b/before"]);

    const single = await failureOf(made.send([put("b", "x".repeat(3100))]));
    expect(S3NotifyError.isInstance(single)).toBe(true);
    expect(isRetryable(single)).toBe(false);
  });

  it("recreates the table when it is dropped behind its back", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    await made.send([put("b", "one")]);
    await admin.query(`DROP TABLE ${DATABASE}.${table}`);
    expect(isRetryable(await failureOf(made.send([put("b", "two")])))).toBe(true);
    await made.send([put("b", "two")]);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/two"]);
  });
});

describe("MySQL target on MariaDB, access format", () => {
  it("creates MinIO's table and appends every event with its time (second precision), in order", async () => {
    const table = newTable("access");
    const made = target(table, "access");
    await made.open();
    const [columns] = await admin.query<mysql.RowDataPacket[]>(
      "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
      [DATABASE, table],
    );
    expect(columns.map((column) => ({ ...column }))).toEqual([
      { COLUMN_NAME: "event_time", COLUMN_TYPE: "datetime", IS_NULLABLE: "NO" },
      { COLUMN_NAME: "event_data", COLUMN_TYPE: "longtext", IS_NULLABLE: "YES" },
    ]);

    const records = [put("b", "a"), put("b", "a"), remove("b", "a"), event("s3:ObjectAccessed:Get", "b", "z")];
    await made.send([records[0] as EventRecord]);
    await made.send(records.slice(1));
    const rows = await accessRows(table);
    expect(rows.map((row) => row.event_data)).toEqual(records.map(asValue));
    // DATETIME keeps whole seconds; MariaDB truncates the milliseconds.
    expect(rows.map((row) => row.event_time.toISOString())).toEqual(records.map((record) => `${record.eventTime.slice(0, 19)}.000Z`));
  });
});

describe("MySQL target, connections", () => {
  it("connects with the discrete host/port/username/database keys", async () => {
    const table = newTable();
    const made = fixture.create<MysqlTarget>({ host: "127.0.0.1", port: String(service.port), username: "root", database: DATABASE, table });
    targets.push(made);
    expect(await made.isActive()).toBe(true);
    await made.send([put("b", "k")]);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/k"]);
  });

  it("connects over the server's Unix socket with unix(/path) in the DSN", async () => {
    const table = newTable();
    const made = target(table, "namespace", { dsn_string: `root@unix(${service.dataDir}/mysqld.sock)/${DATABASE}` });
    await made.send([put("b", "socket")]);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/socket"]);
  });

  it("fails open() retryably on an unreachable host, naming host:port and not the password", async () => {
    const port = await freePort();
    const made = fixture.create<MysqlTarget>({ dsn_string: `root:hunter2-secret@tcp(127.0.0.1:${port})/${DATABASE}`, table: "t" });
    targets.push(made);
    const failure = (await failureOf(made.open())) as Error | undefined;
    expect(failure).toBeDefined();
    expect(isRetryable(failure)).toBe(true);
    expect(failure?.message).toContain(`127.0.0.1:${port}`);
    expect(failure?.message).not.toContain("hunter2-secret");
    expect(await made.isActive()).toBe(false);
    expect(isRetryable(await failureOf(made.send([put("b", "k")])))).toBe(true);
  });

  it("tls=preferred falls back to plain text on a server without TLS; tls=true fails retryably there", async () => {
    const table = newTable();
    const preferred = fixture.create<MysqlTarget>({ dsn_string: `${dsn()}?tls=preferred`, table });
    targets.push(preferred);
    await preferred.send([put("b", "k")]);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/k"]);

    const required = fixture.create<MysqlTarget>({ dsn_string: `${dsn()}?tls=true`, table });
    targets.push(required);
    const failure = (await failureOf(required.open())) as Error | undefined;
    expect(isRetryable(failure)).toBe(true);
    expect(failure?.message).toMatch(/does not support secure connection/);
  });

  it("reports a wrong password retryably without echoing it", async () => {
    await admin.query("CREATE USER IF NOT EXISTS 'minio'@'127.0.0.1' IDENTIFIED BY 'right-password'");
    const made = fixture.create<MysqlTarget>({ dsn_string: `minio:wrong-password@tcp(127.0.0.1:${service.port})/${DATABASE}`, table: "t" });
    targets.push(made);
    const failure = (await failureOf(made.open())) as Error | undefined;
    expect(isRetryable(failure)).toBe(true);
    expect(failure?.message).toMatch(/Access denied/);
    expect(failure?.message).not.toContain("wrong-password");
  });

  it("fails retryably while the server is down and delivers once it is back", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    await made.send([put("b", "before")]);
    expect(await made.isActive()).toBe(true);

    await service.stop();
    try {
      expect(await made.isActive()).toBe(false);
      expect(isRetryable(await failureOf(made.send([put("b", "during")])))).toBe(true);
    } finally {
      await service.start();
    }
    await eventually(() => made.isActive());
    await eventually(async () => {
      await made.send([put("b", "during"), put("b", "after")]);
      return true;
    });
    await admin.end().catch(() => undefined);
    admin = await adminConnection();
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/after", "b/before", "b/during"]);
  });

  it("opens at most max_open_connections connections", async () => {
    for (const [maxOpen, expected] of [
      ["1", 1],
      ["3", 3],
    ] as const) {
      const user = `pool${maxOpen}`;
      await admin.query(`CREATE USER IF NOT EXISTS '${user}'@'127.0.0.1'`);
      await admin.query(`GRANT ALL ON ${DATABASE}.* TO '${user}'@'127.0.0.1'`);
      const made = fixture.create<MysqlTarget>({
        dsn_string: `${user}@tcp(127.0.0.1:${service.port})/${DATABASE}`,
        table: newTable(),
        max_open_connections: maxOpen,
      });
      targets.push(made);
      const results = await Promise.all([made.send([put("b", "k")]), ...Array.from({ length: 6 }, () => made.isActive())]);
      expect(results.slice(1).every(Boolean)).toBe(true);
      const [rows] = await admin.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS count FROM information_schema.PROCESSLIST WHERE USER = ?", [user]);
      expect(Number(rows[0]?.count)).toBe(expected);
      await made.close();
    }
  });

  it("closes idempotently", async () => {
    const made = target(newTable(), "namespace");
    await made.open();
    await made.close();
    await made.close();
    expect(await made.isActive()).toBe(false);
  });
});
