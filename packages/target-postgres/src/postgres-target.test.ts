import { type EventRecord, isRetryable, recordsJson, S3NotifyError, TargetBatchError } from "@s3notify/core";
import { eventually, freePort, type RunningService, startService } from "@s3notify/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostgresTarget } from "./postgres-target.js";
import { event, fixture, put, remove } from "./test-support/fixtures.js";

// Runs against a throw-away PostgreSQL (Debian's postgresql, 15 on the reference machine) on loopback.
let service: RunningService;
let admin: pg.Client;
const targets: PostgresTarget[] = [];
let tableCounter = 0;

function connectionString(): string {
  return `host=127.0.0.1 port=${service.port} user=postgres dbname=postgres sslmode=disable`;
}

function newTable(prefix = "events"): string {
  tableCounter += 1;
  return `${prefix}_${tableCounter}`;
}

function target(table: string, format: string, extra: Record<string, string> = {}): PostgresTarget {
  const made = fixture.create<PostgresTarget>({ connection_string: connectionString(), table, format, ...extra });
  targets.push(made);
  return made;
}

async function namespaceRows(table: string): Promise<Map<string, unknown>> {
  const result = await admin.query(`SELECT key, value FROM ${table} ORDER BY key`);
  return new Map(result.rows.map((row: { key: string; value: unknown }) => [row.key, row.value]));
}

async function accessRows(table: string): Promise<{ event_time: Date; event_data: unknown }[]> {
  // No ORDER BY column exists in MinIO's access table: the insertion order is the physical order here.
  return (await admin.query(`SELECT event_time, event_data FROM ${table}`)).rows;
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
  return new Map([...state.entries()].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
}

async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: service.url });
  // The outage test stops the server under this connection: it is replaced afterwards.
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

beforeAll(async () => {
  service = await startService("postgres");
  admin = await adminClient();
});

afterAll(async () => {
  for (const made of targets) await made.close();
  await admin?.end().catch(() => undefined);
  await service?.dispose();
});

describe("PostgreSQL target, namespace format", () => {
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

  it("creates MinIO's table and leaves exactly MinIO's rows, one event per send", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    await made.open();
    const records = sequence();
    for (const record of records) await made.send([record]);
    expect(await namespaceRows(table)).toEqual(expectedNamespace(records));
    expect([...(await namespaceRows(table)).keys()]).toEqual(["photos/a.jpg", "photos/c.jpg", "photos/dir/naïve file+1.txt"]);
  });

  it("leaves the same rows when the sequence comes as one batch", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    const records = sequence();
    await made.send(records); // open() is implicit on first send, as MinIO's lazy init
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

  it("creates the table with MinIO's DDL: key VARCHAR PRIMARY KEY, value JSONB", async () => {
    const table = newTable();
    await target(table, "namespace").open();
    const columns = await admin.query(
      "SELECT column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
      [table],
    );
    expect(columns.rows).toEqual([
      { column_name: "key", data_type: "character varying", character_maximum_length: null, is_nullable: "NO" },
      { column_name: "value", data_type: "jsonb", character_maximum_length: null, is_nullable: "YES" },
    ]);
    const primaryKey = await admin.query(
      `SELECT kcu.column_name FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name
        WHERE tc.table_name = $1 AND tc.constraint_type = 'PRIMARY KEY'`,
      [table],
    );
    expect(primaryKey.rows).toEqual([{ column_name: "key" }]);
  });

  it("reuses an existing table and its rows", async () => {
    const table = newTable();
    await admin.query(`CREATE TABLE ${table} (key VARCHAR PRIMARY KEY, value JSONB)`);
    await admin.query(`INSERT INTO ${table} VALUES ('old/row', '{}')`);
    const made = target(table, "namespace");
    await made.open();
    await made.send([put("new", "row")]);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["new/row", "old/row"]);
  });

  it("accepts a quoted table name", async () => {
    const made = target('"Bucket Events"', "namespace");
    await made.send([put("q", "k")]);
    expect([...(await namespaceRows('"Bucket Events"')).keys()]).toEqual(["q/k"]);
  });

  it("writes a batch in one transaction: a failure rolls the whole batch back and is retryable", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    await made.open();
    await admin.query(`CREATE FUNCTION refuse_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.key = 'b/poison' THEN RAISE EXCEPTION 'refused by trigger'; END IF; RETURN NEW; END $$`);
    await admin.query(`CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_${table}()`);
    // Three runs (upserts, a delete, upserts): three statements inside one transaction.
    const batch = [put("b", "first"), put("b", "second"), remove("b", "first"), put("b", "third"), put("b", "poison")];
    const failure = await made.send(batch).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeDefined();
    expect(isRetryable(failure)).toBe(true);
    expect((failure as Error).message).toContain("refused by trigger");
    expect((await namespaceRows(table)).size).toBe(0);

    await admin.query(`DROP TRIGGER refuse ON ${table}`);
    await made.send(batch);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/poison", "b/second", "b/third"]);
  });

  it("refuses only the record that can never be written (NUL in the key) and writes the rest", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    const batch = [put("b", "before"), put("b", "bad\u0000key"), put("b", "after")];
    const failure = await made.send(batch).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TargetBatchError);
    expect((failure as TargetBatchError).delivered).toEqual([0, 2]);
    expect((failure as TargetBatchError).retryable).toBe(false);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/after", "b/before"]);

    const single = await made.send([put("b", "bad\u0000again")]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(S3NotifyError.isInstance(single)).toBe(true);
    expect(isRetryable(single)).toBe(false);
  });

  it("recreates the table when it is dropped behind its back", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    await made.send([put("b", "one")]);
    await admin.query(`DROP TABLE ${table}`);
    await expect(made.send([put("b", "two")])).rejects.toSatisfy(isRetryable);
    await made.send([put("b", "two")]);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/two"]);
  });
});

describe("PostgreSQL target, access format", () => {
  it("creates MinIO's table and appends every event with its time, in order", async () => {
    const table = newTable("access");
    const made = target(table, "access");
    await made.open();
    const columns = await admin.query(
      "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
      [table],
    );
    expect(columns.rows).toEqual([
      { column_name: "event_time", data_type: "timestamp with time zone", is_nullable: "NO" },
      { column_name: "event_data", data_type: "jsonb", is_nullable: "YES" },
    ]);

    const records = [put("b", "a"), put("b", "a"), remove("b", "a"), event("s3:ObjectAccessed:Get", "b", "z")];
    await made.send([records[0] as EventRecord]);
    await made.send(records.slice(1));
    const rows = await accessRows(table);
    expect(rows.map((row) => row.event_data)).toEqual(records.map(asValue));
    expect(rows.map((row) => row.event_time.toISOString())).toEqual(records.map((record) => record.eventTime));
  });

  it("accepts `Access` (normalised) and writes rows", async () => {
    const table = newTable("access");
    const made = target(table, "Access");
    await made.send([put("b", "k")]);
    expect(await accessRows(table)).toHaveLength(1);
  });
});

describe("PostgreSQL target, connections", () => {
  it("connects with the discrete host/port/username/database keys", async () => {
    const table = newTable();
    const made = fixture.create<PostgresTarget>({ host: "127.0.0.1", port: String(service.port), username: "postgres", database: "postgres", table });
    targets.push(made);
    expect(await made.isActive()).toBe(true);
    await made.send([put("b", "k")]);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/k"]);
  });

  it("connects over the server's Unix socket when host is a directory (libpq rule)", async () => {
    const table = newTable();
    const made = target(table, "namespace", {
      connection_string: `host=${service.dataDir} port=${service.port} user=postgres dbname=postgres sslmode=disable`,
    });
    await made.send([put("b", "socket")]);
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/socket"]);
  });

  it("fails open() retryably on an unreachable host, naming host:port and not the password", async () => {
    const port = await freePort();
    const made = fixture.create<PostgresTarget>({
      connection_string: `host=127.0.0.1 port=${port} user=postgres password=hunter2-secret dbname=postgres sslmode=disable`,
      table: "t",
    });
    targets.push(made);
    const failure = await made.open().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure).toBeDefined();
    expect(isRetryable(failure)).toBe(true);
    expect(failure?.message).toContain(`127.0.0.1:${port}`);
    expect(failure?.message).not.toContain("hunter2-secret");
    expect(await made.isActive()).toBe(false);
    await expect(made.send([put("b", "k")])).rejects.toSatisfy(isRetryable);
  });

  it("fails retryably while the server is down and delivers once it is back", async () => {
    const table = newTable();
    const made = target(table, "namespace");
    await made.send([put("b", "before")]);
    expect(await made.isActive()).toBe(true);

    await service.stop();
    try {
      expect(await made.isActive()).toBe(false);
      await expect(made.send([put("b", "during")])).rejects.toSatisfy(isRetryable);
    } finally {
      await service.start();
    }
    await eventually(() => made.isActive());
    // The pool may still hold a connection the restart killed: retry like core does, with a deadline.
    await eventually(async () => {
      await made.send([put("b", "during"), put("b", "after")]);
      return true;
    });
    await admin.end().catch(() => undefined);
    admin = await adminClient();
    expect([...(await namespaceRows(table)).keys()]).toEqual(["b/after", "b/before", "b/during"]);
  });

  it("opens at most max_open_connections connections", async () => {
    for (const [maxOpen, expected] of [
      ["1", 1],
      ["3", 3],
    ] as const) {
      const name = `pool-size-${maxOpen}`;
      const made = fixture.create<PostgresTarget>({
        connection_string: `${connectionString()} application_name=${name}`,
        table: newTable(),
        max_open_connections: maxOpen,
      });
      targets.push(made);
      const results = await Promise.all([made.send([put("b", "k")]), ...Array.from({ length: 6 }, () => made.isActive())]);
      expect(results.slice(1).every(Boolean)).toBe(true);
      const count = await admin.query("SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1", [name]);
      expect(count.rows[0]).toEqual({ count: expected });
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
