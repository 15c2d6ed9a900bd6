import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildEventRecord,
  COMMON_KEYS,
  ConfigError,
  createNotifier,
  createTargetRegistry,
  dumpConfigKv,
  EVENT_NAMES,
  type EventInput,
  type EventName,
  type EventRecord,
  goJson,
  type NotificationConfiguration,
  type Notifier,
  type NotifyConfig,
  type TargetPlugin,
} from "@s3notify/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConformanceBackend, ConformanceFormat, ConformanceOptions, InvalidConfigCase } from "./types.js";

const DEFAULT_TIMEOUT_MS = 20_000;
const TARGET_ID = "conformance";
const BUCKET = "conformance-bucket";
/** Fast retries: the suite waits for replay after an outage. */
const RETRY = { initialDelayMs: 50, maxDelayMs: 1_000 };
/** Fixed times make every record deterministic: what arrives must equal buildEventRecord(input). */
const BASE_TIME = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

let scopeCounter = 0;
function newScope(plugin: TargetPlugin, label: string): string {
  scopeCounter += 1;
  const random = Math.random().toString(36).slice(2, 8);
  return `s3n_${plugin.type}_${label}_${scopeCounter}_${random}`.replace(/[^a-zA-Z0-9_]/g, "_").toLowerCase();
}

/** Every declared key with its default, then the common keys, then `values` on top (as core hands them to parseConfig). */
export function fullTargetValues(plugin: TargetPlugin, values: Record<string, string>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const key of COMMON_KEYS) merged[key.name] = key.default;
  for (const key of plugin.keys) merged[key.name] = key.default;
  return { ...merged, ...values };
}

function notifyConfig(plugin: TargetPlugin, values: Record<string, string>): NotifyConfig {
  return { targets: [{ type: plugin.type, id: TARGET_ID, enabled: true, values: fullTargetValues(plugin, { ...values, enable: "on" }) }] };
}

function allEventsRule(plugin: TargetPlugin): NotificationConfiguration {
  return {
    queues: [{ id: "conformance", arn: { region: "", id: TARGET_ID, type: plugin.arnType }, events: [...EVENT_NAMES], filterRules: [] }],
  };
}

function eventInput(eventName: EventName, key: string, index: number): EventInput {
  const time = new Date(BASE_TIME + index);
  const isBucketEvent = eventName.startsWith("s3:BucketCreated") || eventName.startsWith("s3:BucketRemoved");
  return {
    eventName,
    bucket: BUCKET,
    key: isBucketEvent ? "" : key,
    size: 1024 + index,
    eTag: `etag${index}`,
    contentType: "text/plain",
    userMetadata: { "X-Amz-Meta-Index": String(index) },
    versionId: index % 2 === 0 ? "" : `version-${index}`,
    modTime: time,
    eventTime: time,
    request: { principalId: "conformance-user", region: "", sourceIp: "127.0.0.1", userAgent: "s3notify-conformance", requestId: `REQ${index}` },
  };
}

/** The record core must have delivered, as plain parsed JSON. */
function expectedRecord(input: EventInput): unknown {
  return JSON.parse(goJson(buildEventRecord(input)));
}

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function objectPathOf(input: EventInput): string {
  return `${input.bucket}/${input.key ?? ""}`;
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  describeValue: (value: T) => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      lastError = undefined;
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen =
        lastError !== undefined ? `last read failed: ${lastError instanceof Error ? lastError.message : String(lastError)}` : describeValue(last as T);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Keys of the log-shaped records that arrived, in arrival order, first occurrence only (at-least-once may repeat). */
function firstArrivals(records: readonly EventRecord[]): string[] {
  const seen = new Set<string>();
  const order: string[] = [];
  for (const record of records) {
    const id = `${record.eventName} ${record.s3.object.key} ${record.s3.object.sequencer}`;
    if (seen.has(id)) continue;
    seen.add(id);
    order.push(id);
  }
  return order;
}

function recordId(record: EventRecord): string {
  return `${record.eventName} ${record.s3.object.key} ${record.s3.object.sequencer}`;
}

/**
 * Registers the conformance suite for one target plugin: delivery of all 32 event types per format,
 * outage and replay with queue_dir, close without loss, invalid configs, no secrets in dumps.
 * Everything goes through core's notifier; what arrived is read back with the backend's own client.
 */
export function runTargetConformance<Config>(options: ConformanceOptions<Config>): void {
  const plugin = options.plugin as TargetPlugin;
  const formats: readonly ConformanceFormat[] = options.formats ?? [{ shape: "log" }];
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const testTimeout = timeoutMs * 3 + 30_000;
  const firstFormat = formats[0] ?? { shape: "log" as const };

  describe(`target conformance: ${plugin.type}`, () => {
    let backend: ConformanceBackend;
    const notifiers = new Set<Notifier>();
    const tempDirs: string[] = [];

    beforeAll(async () => {
      backend = await options.backend();
    }, 180_000);

    afterAll(async () => {
      for (const notifier of notifiers) await notifier.close().catch(() => undefined);
      await backend?.close();
      await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }, 120_000);

    async function startNotifier(values: Record<string, string>): Promise<Notifier> {
      const notifier = await createNotifier({ config: notifyConfig(plugin, values), plugins: [plugin], retry: RETRY });
      notifiers.add(notifier);
      notifier.setBucketRules(BUCKET, allEventsRule(plugin));
      return notifier;
    }

    async function closeNotifier(notifier: Notifier): Promise<void> {
      notifiers.delete(notifier);
      await notifier.close();
    }

    async function queueDir(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), `s3notify-conformance-${plugin.type}-`));
      tempDirs.push(dir);
      return dir;
    }

    async function publishAll(notifier: Notifier, inputs: readonly EventInput[]): Promise<void> {
      for (const input of inputs) {
        const result = await notifier.publish(input);
        expect(result.refused, `publish of ${input.eventName} was refused`).toEqual([]);
        expect(result.accepted.length, `no target accepted ${input.eventName}: do the bucket rules reach the target?`).toBe(1);
      }
    }

    function readEvents(scope: string, format: string | undefined): Promise<EventRecord[]> {
      if (!backend.readEvents) throw new Error(`the ${plugin.type} backend has no readEvents() for the log shape`);
      return backend.readEvents(scope, format);
    }

    function readState(scope: string, format: string | undefined): Promise<Map<string, EventRecord>> {
      if (!backend.readState) throw new Error(`the ${plugin.type} backend has no readState() for the namespace shape`);
      return backend.readState(scope, format);
    }

    /** Waits until every input arrived (log: in order; namespace: the latest per object); checks the records. */
    async function expectDelivered(scope: string, format: ConformanceFormat, inputs: readonly EventInput[]): Promise<void> {
      if (format.shape === "log") {
        const expected = inputs.map((input) => recordId(buildEventRecord(input)));
        const arrived = await waitFor(
          `${inputs.length} records in ${scope}`,
          timeoutMs,
          () => readEvents(scope, format.format),
          (records) => firstArrivals(records).length >= expected.length,
          (records) => {
            const seen = new Set(firstArrivals(records));
            const missing = expected.filter((id) => !seen.has(id));
            return `${records.length} arrived; missing ${missing.length}: ${missing.slice(0, 5).join(" | ")}`;
          },
        );
        expect(firstArrivals(arrived), "records arrived out of order or not at all").toEqual(expected);
        const firstById = new Map<string, EventRecord>();
        for (const record of arrived) if (!firstById.has(recordId(record))) firstById.set(recordId(record), record);
        inputs.forEach((input) => {
          const expectedJson = expectedRecord(input);
          expect(plain(firstById.get(recordId(buildEventRecord(input)))), `record for ${input.eventName}`).toEqual(expectedJson);
        });
        return;
      }
      // namespace: only s3:ObjectRemoved:Delete removes; everything else overwrites (facts §6.11).
      const latest = new Map<string, EventInput>();
      for (const input of inputs) {
        if (!input.key) continue;
        if (input.eventName === "s3:ObjectRemoved:Delete") latest.delete(objectPathOf(input));
        else latest.set(objectPathOf(input), input);
      }
      const removed = new Set(inputs.filter((input) => input.key && !latest.has(objectPathOf(input))).map(objectPathOf));
      const matches = (state: Map<string, EventRecord>): boolean => {
        for (const [path, input] of latest) {
          const record = state.get(path);
          if (!record || recordId(record) !== recordId(buildEventRecord(input))) return false;
        }
        for (const path of removed) if (state.has(path)) return false;
        return true;
      };
      const state = await waitFor(
        `the namespace state of ${scope}`,
        timeoutMs,
        () => readState(scope, format.format),
        matches,
        (current) => `state holds ${current.size} entries: ${[...current.keys()].slice(0, 10).join(", ")}`,
      );
      for (const [path, input] of latest) expect(plain(state.get(path)), `entry ${path}`).toEqual(expectedRecord(input));
      for (const path of removed) expect(state.has(path), `${path} should have been removed`).toBe(false);
    }

    // (a) every event type, per format ------------------------------------------------------------
    for (const format of formats) {
      const label = `${format.format ?? "default"} format (${format.shape})`;

      it(`${label}: delivers each of the ${EVENT_NAMES.length} event types with MinIO's record`, { timeout: testTimeout }, async () => {
        const scope = newScope(plugin, "all");
        const notifier = await startNotifier(backend.config(scope, format.format));
        try {
          const inputs = EVENT_NAMES.map((eventName, index) => eventInput(eventName, `all/${index} ü+&=.txt`, index));
          await publishAll(notifier, inputs);
          await expectDelivered(scope, format, inputs);
        } finally {
          await closeNotifier(notifier);
        }
      });

      if (format.shape === "namespace") {
        it(`${label}: create, overwrite, Delete removes; DeleteMarkerCreated, NoOP and Accessed overwrite`, { timeout: testTimeout }, async () => {
          const scope = newScope(plugin, "ns");
          const notifier = await startNotifier(backend.config(scope, format.format));
          try {
            const steps: Array<[EventName, string]> = [
              ["s3:ObjectCreated:Put", "a.txt"],
              ["s3:ObjectCreated:Put", "b.txt"],
              ["s3:ObjectCreated:Put", "c.txt"],
              ["s3:ObjectCreated:Put", "d.txt"],
              ["s3:ObjectCreated:Put", "e.txt"],
              ["s3:ObjectCreated:Copy", "a.txt"],
              ["s3:ObjectRemoved:Delete", "b.txt"],
              ["s3:ObjectRemoved:DeleteMarkerCreated", "c.txt"],
              ["s3:ObjectRemoved:NoOP", "d.txt"],
              ["s3:ObjectAccessed:Get", "e.txt"],
            ];
            const inputs = steps.map(([eventName, key], index) => eventInput(eventName, `ns/${key}`, 1000 + index));
            await publishAll(notifier, inputs);
            await expectDelivered(scope, format, inputs);
            const state = await readState(scope, format.format);
            expect([...state.keys()].filter((path) => path.startsWith(`${BUCKET}/ns/`)).sort()).toEqual(
              ["a.txt", "c.txt", "d.txt", "e.txt"].map((key) => `${BUCKET}/ns/${key}`),
            );
          } finally {
            await closeNotifier(notifier);
          }
        });
      }
    }

    // (b) outage and replay -------------------------------------------------------------------------
    it(`${firstFormat.format ?? "default"} format: an outage loses nothing with queue_dir; replay keeps the order`, {
      timeout: testTimeout + 60_000,
    }, async () => {
      const scope = newScope(plugin, "outage");
      const notifier = await startNotifier({ ...backend.config(scope, firstFormat.format), queue_dir: await queueDir() });
      let stopped = false;
      try {
        const warmUp = [eventInput("s3:ObjectCreated:Put", "outage/warm-up", 2000)];
        await publishAll(notifier, warmUp);
        await expectDelivered(scope, firstFormat, warmUp);

        await backend.stop();
        stopped = true;
        const during = Array.from({ length: 10 }, (_, index) => eventInput("s3:ObjectCreated:Put", `outage/during-${index}`, 2001 + index));
        await publishAll(notifier, during);
        await backend.start();
        stopped = false;
        await expectDelivered(scope, firstFormat, [...warmUp, ...during]);
      } finally {
        if (stopped) await backend.start();
        await closeNotifier(notifier);
      }
    });

    // (c) close without loss ------------------------------------------------------------------------
    it(`${firstFormat.format ?? "default"} format: close right after publishing loses nothing; a new notifier on the same queue_dir delivers the rest`, {
      timeout: testTimeout,
    }, async () => {
      const scope = newScope(plugin, "close");
      const values = { ...backend.config(scope, firstFormat.format), queue_dir: await queueDir() };
      const inputs = Array.from({ length: 20 }, (_, index) => eventInput("s3:ObjectCreated:Put", `close/${index}`, 3000 + index));
      const first = await startNotifier(values);
      await publishAll(first, inputs);
      await closeNotifier(first);
      const second = await startNotifier(values);
      try {
        await expectDelivered(scope, firstFormat, inputs);
      } finally {
        await closeNotifier(second);
      }
    });

    it(`${firstFormat.format ?? "default"} format: events queued while the backend is down survive closing the notifier`, {
      timeout: testTimeout + 60_000,
    }, async () => {
      const scope = newScope(plugin, "restart");
      const values = { ...backend.config(scope, firstFormat.format), queue_dir: await queueDir() };
      const inputs = Array.from({ length: 10 }, (_, index) => eventInput("s3:ObjectCreated:Put", `restart/${index}`, 5000 + index));
      let stopped = false;
      try {
        await backend.stop();
        stopped = true;
        // Nothing can be delivered: every event is only in the queue_dir when this notifier closes.
        const first = await startNotifier(values);
        await publishAll(first, inputs);
        await closeNotifier(first);
        await backend.start();
        stopped = false;
        const second = await startNotifier(values);
        try {
          await expectDelivered(scope, firstFormat, inputs);
        } finally {
          await closeNotifier(second);
        }
      } finally {
        if (stopped) await backend.start();
      }
    });

    // (d) invalid configs ---------------------------------------------------------------------------
    describe("invalid configuration", () => {
      const cases: readonly InvalidConfigCase[] = options.invalidConfigs;
      it.each(cases.map((invalid) => [invalid.description, invalid] as const))("%s → ConfigError naming the key", (_description, invalid) => {
        const values = fullTargetValues(plugin, { ...backend.config(newScope(plugin, "invalid")), ...invalid.values, enable: "on" });
        let thrown: unknown;
        try {
          plugin.parseConfig(values, { targetId: TARGET_ID, subsystem: `notify_${plugin.type}` });
        } catch (error) {
          thrown = error;
        }
        expect(thrown, "parseConfig accepted an invalid config").toBeInstanceOf(ConfigError);
        expect((thrown as InstanceType<typeof ConfigError>).key).toBe(invalid.key);
        for (const spec of plugin.keys) {
          const value = values[spec.name];
          if (spec.secret && value) expect((thrown as Error).message).not.toContain(value);
        }
      });
    });

    // (e) secrets ------------------------------------------------------------------------------------
    it("a config dump, the stats and the last error never show a secret value", { timeout: testTimeout }, async () => {
      const secretKeys = plugin.keys.filter((spec) => spec.secret).map((spec) => spec.name);
      const values = backend.config(newScope(plugin, "secret"));
      // Give every secret key a recognisable value when the backend left it empty.
      const withSecrets = { ...values };
      for (const key of secretKeys) if (!withSecrets[key]) withSecrets[key] = `conformance-secret-${key}-value`;
      const config = notifyConfig(plugin, withSecrets);
      const registry = createTargetRegistry();
      registry.register(plugin);
      const dump = String(dumpConfigKv(config, registry));
      expect(dump).toContain(`notify_${plugin.type}`);
      for (const key of secretKeys) {
        const secret = withSecrets[key] as string;
        expect(dump, `dump shows the value of ${key}`).not.toContain(secret);
      }

      // The target runs with those values (they may well be wrong for the backend): its stats and errors stay clean.
      // A made-up secret may make the config invalid (a password needs a user): then run with the backend's own values.
      let runValues = withSecrets;
      try {
        plugin.parseConfig(fullTargetValues(plugin, { ...withSecrets, enable: "on" }), { targetId: TARGET_ID, subsystem: `notify_${plugin.type}` });
      } catch {
        runValues = values;
      }
      const notifier = await startNotifier(runValues);
      try {
        await publishAll(notifier, [eventInput("s3:ObjectCreated:Put", "secret/probe.txt", 4000)]);
        await waitFor(
          "the first send attempt",
          // Only a chance for errors to show up (a target may retry open() quietly): not asserted, so kept short.
          Math.min(timeoutMs, 5_000),
          async () => notifier.stats(),
          (stats) => stats.some((entry) => entry.sent > 0 || entry.failed > 0 || entry.lastError !== undefined),
          (stats) => JSON.stringify(stats),
        ).catch(() => undefined);
        const stats = JSON.stringify(notifier.stats());
        for (const key of secretKeys) {
          const secret = runValues[key];
          if (secret) expect(stats, `stats show the value of ${key}`).not.toContain(secret);
        }
      } finally {
        await closeNotifier(notifier);
      }
    });
  });
}
