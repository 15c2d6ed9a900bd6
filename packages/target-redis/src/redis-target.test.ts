import { buildEventRecord, ConfigError, type EventName, type EventRecord, goJson, recordsJson, S3NotifyError, TargetBatchError } from "@s3notify/core";
import { freePort, type RunningService, startService, targetFixture } from "@s3notify/testkit";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import redisTarget, { accessValue, type RedisTargetConfig, redisCommands, VALUES_PER_COMMAND } from "./index.js";

// Runs against: a real redis-server (Debian's, 7.0 here) started by testkit's startService on a free
// loopback port, read back with the official `redis` client.

const fixture = targetFixture(redisTarget);

let sequence = 0;
function record(eventName: EventName, bucket: string, key: string): EventRecord {
  sequence++;
  return buildEventRecord({ eventName, bucket, key, size: sequence, eTag: `etag${sequence}`, eventTime: new Date(Date.UTC(2024, 0, 1, 0, 0, sequence)) });
}

async function rejection(promise: Promise<unknown>): Promise<S3NotifyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!S3NotifyError.isInstance(error)) throw new Error(`expected an S3NotifyError, got ${String(error)}`);
  return error;
}

describe("redis config", () => {
  it("parses MinIO's keys with their defaults", () => {
    const config: RedisTargetConfig = fixture.parse({ address: "127.0.0.1:6380", key: "events", password: "pw" }, "_");
    expect(config).toEqual({ format: "namespace", host: "127.0.0.1", port: 6380, key: "events", password: "pw", user: "", compatShape: "current", tls: false });
    expect(fixture.parse({ address: "redis.local", key: "k", format: "ACCESS", tls: "on" }, "_")).toMatchObject({
      port: 6379,
      format: "access",
      tls: true,
    });
    expect(fixture.parse({ address: "[::1]:7000", key: "k" }, "_")).toMatchObject({ host: "::1", port: 7000 });
    expect(redisTarget.keys.find((key) => key.name === "password")?.secret).toBe(true);
  });

  it.each([
    [{ format: "json" }, "format", "unrecognized format"],
    [{ address: "" }, "address", "empty address"],
    [{ address: "host:port" }, "address", "invalid address"],
    [{ address: "host:99999" }, "address", "invalid address"],
    [{ key: "" }, "key", "empty key"],
    [{ compat_shape: "old" }, "compat_shape", "unrecognized value"],
  ])("refuses %o naming the key", (values, key, reason) => {
    let error: unknown;
    try {
      fixture.parse({ address: "127.0.0.1:6379", key: "k", ...values }, "_");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
    expect((error as ConfigError).message).toContain(reason);
  });
});

describe("redis target against a real Redis", () => {
  let redis: RunningService;
  let reader: ReturnType<typeof createClient>;
  const address = (): string => `127.0.0.1:${redis.port}`;

  beforeAll(async () => {
    redis = await startService("redis");
    reader = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
    reader.on("error", () => undefined);
    await reader.connect();
  });
  afterAll(async () => {
    await reader?.close().catch(() => undefined);
    await redis?.dispose();
  });

  it("namespace: leaves exactly the hash MinIO would (HSET latest record, HDEL on Delete)", async () => {
    const target = fixture.create({ address: address(), key: "ns1" });
    try {
      await target.open();
      const putA = record("s3:ObjectCreated:Put", "photos", "a.jpg");
      const putB = record("s3:ObjectCreated:Put", "photos", "b.jpg");
      const putSpaced = record("s3:ObjectCreated:Put", "photos", "summer trip/img 01.jpg");
      await target.send([putA]);
      await target.send([putB, putSpaced]);
      const overwriteA = record("s3:ObjectAccessed:Get", "photos", "a.jpg");
      const deleteB = record("s3:ObjectRemoved:Delete", "photos", "b.jpg");
      const marker = record("s3:ObjectRemoved:DeleteMarkerCreated", "photos", "c.jpg");
      await target.send([overwriteA, deleteB, marker]);
      await target.send([record("s3:ObjectRemoved:Delete", "photos", "never-existed")]);
      expect(await reader.hGetAll("ns1")).toEqual({
        "photos/a.jpg": recordsJson(overwriteA),
        "photos/summer trip/img 01.jpg": recordsJson(putSpaced),
        "photos/c.jpg": recordsJson(marker),
      });
      // The record keeps the escaped key; the field is the decoded bucket/object.
      expect(JSON.parse((await reader.hGet("ns1", "photos/summer trip/img 01.jpg")) ?? "").Records[0].s3.object.key).toBe("summer+trip%2Fimg+01.jpg");
      expect(await target.isActive()).toBe(true);
    } finally {
      await target.close();
    }
  });

  it("namespace: a batch keeps batch order (put-then-delete, repeated puts, delete-then-put)", async () => {
    const target = fixture.create({ address: address(), key: "ns-order" });
    try {
      const secondY = record("s3:ObjectCreated:Copy", "b", "y");
      const again = record("s3:ObjectCreated:Put", "b", "z");
      const batch = [
        record("s3:ObjectCreated:Put", "b", "x"),
        record("s3:ObjectRemoved:Delete", "b", "x"),
        record("s3:ObjectCreated:Put", "b", "y"),
        secondY,
        record("s3:ObjectCreated:Put", "b", "z"),
        record("s3:ObjectRemoved:Delete", "b", "z"),
        record("s3:ObjectRemoved:Delete", "b", "w"),
        again,
      ];
      expect([...redisCommands(batch, "namespace", "current")].map((command) => [command.kind, command.end])).toEqual([
        ["hset", 1],
        ["hdel", 2],
        ["hset", 5],
        ["hdel", 7],
        ["hset", 8],
      ]);
      await target.send(batch);
      expect(await reader.hGetAll("ns-order")).toEqual({ "b/y": recordsJson(secondY), "b/z": recordsJson(again) });
    } finally {
      await target.close();
    }
  });

  it("access: RPUSHes [{Event:[record],EventTime}] per event, in order", async () => {
    const target = fixture.create({ address: address(), key: "log1", format: "access" });
    try {
      const events = [
        record("s3:ObjectCreated:Put", "logs", "one"),
        record("s3:ObjectAccessed:Get", "logs", "one"),
        record("s3:ObjectRemoved:Delete", "logs", "one"),
      ];
      await target.send(events.slice(0, 1));
      await target.send(events.slice(1));
      const values = await reader.lRange("log1", 0, -1);
      expect(values).toEqual(events.map((event) => goJson([{ Event: [event], EventTime: event.eventTime }])));
      expect(values.map((value) => JSON.parse(value)[0].Event[0])).toEqual(JSON.parse(JSON.stringify(events)));
    } finally {
      await target.close();
    }
  });

  it("a batch of several commands lands whole and in order (access list and namespace hash)", async () => {
    const size = VALUES_PER_COMMAND * 4 + 37;
    const access = fixture.create({ address: address(), key: "log-many", format: "access" });
    const namespace = fixture.create({ address: address(), key: "ns-many" });
    try {
      const events = Array.from({ length: size }, (_, index) => record("s3:ObjectCreated:Put", "many", `o${index % 150}`));
      // Deletes in the middle of a run of writes: the pipeline must keep HSET/HDEL order across commands.
      for (const index of [VALUES_PER_COMMAND + 20, VALUES_PER_COMMAND + 21, VALUES_PER_COMMAND * 3 + 5])
        events[index] = record("s3:ObjectRemoved:Delete", "many", `o${index % 150}`);
      await access.send(events);
      expect(await reader.lRange("log-many", 0, -1)).toEqual(events.map((event) => accessValue(event, "current")));

      await namespace.send(events);
      const expected = new Map<string, string>();
      for (const event of events) {
        const field = `many/${event.s3.object.key}`;
        if (event.eventName === "s3:ObjectRemoved:Delete") expected.delete(field);
        else expected.set(field, recordsJson(event));
      }
      expect(await reader.hGetAll("ns-many")).toEqual(Object.fromEntries(expected));
    } finally {
      await access.close();
      await namespace.close();
    }
  });

  it("a connection lost mid-pipeline reports the applied prefix as delivered, so a retry does not append it twice", async () => {
    // A value over proto-max-bulk-len makes Redis answer a protocol error and close the connection.
    await reader.configSet("proto-max-bulk-len", "1048576");
    const target = fixture.create({ address: address(), key: "log-cut", format: "access" });
    try {
      const events = Array.from({ length: VALUES_PER_COMMAND + 50 }, (_, index) => record("s3:ObjectCreated:Put", "cut", `o${index}`));
      const huge = buildEventRecord({
        eventName: "s3:ObjectCreated:Put",
        bucket: "cut",
        key: "huge",
        userMetadata: { "x-amz-meta-big": "x".repeat(1_100_000) },
      });
      events[VALUES_PER_COMMAND + 20] = huge;
      const error = await rejection(target.send(events));
      expect(error).toBeInstanceOf(TargetBatchError);
      expect((error as TargetBatchError).delivered).toEqual(Array.from({ length: VALUES_PER_COMMAND }, (_, index) => index));
      expect(error.retryable).toBe(true);
      expect(await reader.lRange("log-cut", 0, -1)).toEqual(events.slice(0, VALUES_PER_COMMAND).map((event) => accessValue(event, "current")));
    } finally {
      await reader.configSet("proto-max-bulk-len", "536870912");
      await target.close();
    }
  });

  it("access with compat_shape=legacy: writes the older documented [timestamp, event] pair", async () => {
    const target = fixture.create({ address: address(), key: "log-legacy", format: "access", compat_shape: "legacy" });
    try {
      const event = record("s3:ObjectCreated:Put", "logs", "old");
      await target.send([event]);
      const [value] = await reader.lRange("log-legacy", 0, -1);
      expect(value).toBe(accessValue(event, "legacy"));
      expect(JSON.parse(value ?? "")).toEqual([event.eventTime, { Records: [JSON.parse(JSON.stringify(event))] }]);
    } finally {
      await target.close();
    }
  });

  it("names its connection MinIO (CLIENT SETNAME)", async () => {
    const target = fixture.create({ address: address(), key: "named" });
    try {
      await target.open();
      expect(await reader.sendCommand(["CLIENT", "LIST"])).toMatch(/ name=MinIO /);
    } finally {
      await target.close();
    }
  });

  it("refuses a key of the wrong type at open() with MinIO's message, permanently", async () => {
    await reader.set("plain-string", "x");
    await reader.rPush("a-list", "x");
    const namespace = fixture.create({ address: address(), key: "plain-string" });
    const access = fixture.create({ address: address(), key: "a-list", format: "namespace" });
    const accessOk = fixture.create({ address: address(), key: "a-list", format: "access" });
    try {
      const error = await rejection(namespace.open());
      expect(error.retryable).toBe(false);
      expect(error.message).toContain("expected type hash does not match with available type string");
      expect((await rejection(access.open())).message).toContain("expected type hash does not match with available type list");
      await accessOk.open();
    } finally {
      await Promise.all([namespace.close(), access.close(), accessOk.close()]);
    }
  });

  it("fails a send permanently when the key changes type under it", async () => {
    const target = fixture.create({ address: address(), key: "switched", format: "access" });
    try {
      await target.send([record("s3:ObjectCreated:Put", "b", "1")]);
      await reader.del("switched");
      await reader.set("switched", "now a string");
      const error = await rejection(target.send([record("s3:ObjectCreated:Put", "b", "2")]));
      expect(error.retryable).toBe(false);
      expect(error.message).toContain("WRONGTYPE");
    } finally {
      await target.close();
    }
  });

  it("fails open() retryably when nothing listens", async () => {
    const target = fixture.create({ address: `127.0.0.1:${await freePort()}`, key: "k", password: "Unseen-Pw-42" });
    try {
      const error = await rejection(target.open());
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/not connected/);
      expect(error.message).not.toContain("Unseen-Pw-42");
      expect(await target.isActive()).toBe(false);
    } finally {
      await target.close();
    }
  });

  it("survives an outage: sends fail retryably while down and succeed after restart", async () => {
    const target = fixture.create({ address: address(), key: "outage", format: "access" });
    try {
      const before = record("s3:ObjectCreated:Put", "b", "before");
      await target.send([before]);
      await reader.close();
      await redis.stop();
      const started = Date.now();
      const error = await rejection(target.send([record("s3:ObjectCreated:Put", "b", "during")]));
      expect(error.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(await target.isActive()).toBe(false);
      await redis.start();
      const after = record("s3:ObjectCreated:Put", "b", "after");
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          await target.send([after]);
          break;
        } catch (caught) {
          if (Date.now() > deadline) throw caught;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      reader = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
      reader.on("error", () => undefined);
      await reader.connect();
      // The launcher's Redis saves on shutdown: the list holds both events, in order.
      expect(await reader.lRange("outage", 0, -1)).toEqual([accessValue(before, "current"), accessValue(after, "current")]);
      expect(await target.isActive()).toBe(true);
    } finally {
      await target.close();
    }
  });
});

describe("redis target with authentication", () => {
  let redis: RunningService;
  let admin: ReturnType<typeof createClient>;
  const password = "Sup3r-secret-pw";

  beforeAll(async () => {
    redis = await startService("redis");
    admin = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
    admin.on("error", () => undefined);
    await admin.connect();
    await admin.sendCommand(["ACL", "SETUSER", "minio", "on", `>${password}-user`, "~*", "+@all"]);
    // requirepass last: this admin connection is already authenticated as the default user.
    await admin.configSet("requirepass", password);
  });
  afterAll(async () => {
    await admin?.close().catch(() => undefined);
    await redis?.dispose();
  });

  it("AUTH <password> only", async () => {
    const target = fixture.create({ address: `127.0.0.1:${redis.port}`, key: "auth1", password });
    try {
      const event = record("s3:ObjectCreated:Put", "b", "k");
      await target.send([event]);
      expect(await admin.hGet("auth1", "b/k")).toBe(recordsJson(event));
    } finally {
      await target.close();
    }
  });

  it("AUTH <user> <password> with an ACL user", async () => {
    const target = fixture.create({ address: `127.0.0.1:${redis.port}`, key: "auth2", user: "minio", password: `${password}-user` });
    try {
      await target.send([record("s3:ObjectCreated:Put", "b", "k")]);
      expect(await admin.sendCommand(["CLIENT", "LIST"])).toMatch(/ name=MinIO .* user=minio /);
    } finally {
      await target.close();
    }
  });

  it("a wrong or missing password fails open() retryably, without the password in the message", async () => {
    const wrong = fixture.create({ address: `127.0.0.1:${redis.port}`, key: "auth3", password: "not-the-password" });
    const none = fixture.create({ address: `127.0.0.1:${redis.port}`, key: "auth3" });
    try {
      const error = await rejection(wrong.open());
      expect(error.retryable).toBe(true);
      expect(error.message).not.toContain("not-the-password");
      expect(error.message).toMatch(/WRONGPASS|invalid/i);
      expect((await rejection(none.open())).message).toMatch(/NOAUTH|auth/i);
    } finally {
      await Promise.all([wrong.close(), none.close()]);
    }
  });
});
