import { resolve as resolvePath } from "node:path";
import { allKeysFor } from "../config/common-keys.js";
import { REDACTED, redactEmbeddedSecrets } from "../config/redact.js";
import { validateNotifyConfig } from "../config/validate-notify-config.js";
import { createCoreContainer, installTargetPlugins, resolveTargetRegistry } from "../di/create-core-container.js";
import { silentLogger } from "../di/silent-logger.js";
import { S3NotifyError } from "../errors/s3notify-error.js";
import { buildEventRecord } from "../event/build-record.js";
import { queryUnescape } from "../event/object-key.js";
import { formatArn, targetIdString } from "../rules/arn.js";
import { RulesIndex } from "../rules/rules-index.js";
import type { EventLog, LogAppendResult } from "../store/event-log.js";
import { FileEventLog } from "../store/file-event-log.js";
import { importMinioQueue } from "../store/import-minio-queue.js";
import { MemoryEventLog } from "../store/memory-event-log.js";
import type {
  EventInput,
  EventName,
  EventRecord,
  Logger,
  NotificationConfiguration,
  Notifier,
  NotifierOptions,
  NotifyConfig,
  PublishResult,
  RetryPolicy,
  RulesValidationContext,
  Target,
  TargetRegistry,
  TargetStats,
  ValidatedTarget,
} from "../types.js";
import { TargetRunner } from "./target-runner.js";

/** Knobs for tests and embedding hosts, beyond NotifierOptions. */
export interface NotifierInternals {
  /** How long close() and reconfigure() wait for in-flight sends and memory drains; 10 s by default. */
  readonly closeTimeoutMs?: number;
  /** Jitter source for the runners' backoff. */
  readonly random?: () => number;
}

interface ActiveTarget {
  readonly targetId: string;
  readonly fingerprint: string;
  readonly arn: string;
  readonly logKey: string;
  readonly log: EventLog;
  readonly runner: TargetRunner;
}

/** A target of the configuration being applied. */
interface WantedTarget {
  readonly resolved: ValidatedTarget;
  readonly fingerprint: string;
  readonly logKey: string;
  /** Made for a new or changed target; undefined when the running one stays. */
  readonly target: Target | undefined;
}

const MEMORY_LOG_KEY = "";

function isEventRecord(event: EventInput | EventRecord): event is EventRecord {
  return (event as EventRecord).eventVersion !== undefined && (event as EventRecord).s3 !== undefined;
}

function logKeyOf(target: ValidatedTarget): string {
  return target.queueDir ? resolvePath(target.queueDir) : MEMORY_LOG_KEY;
}

/** Hides the target's secret values (and passwords embedded in URLs or DSNs) in error text. */
function secretRedactor(target: ValidatedTarget): (text: string) => string {
  const secrets = allKeysFor(target.plugin)
    .filter((spec) => spec.secret)
    .map((spec) => target.settings.values[spec.name] ?? "")
    .filter((value) => value.length >= 3)
    .sort((left, right) => right.length - left.length);
  return (text) => {
    let result = text;
    for (const secret of secrets) result = result.split(secret).join(REDACTED);
    return redactEmbeddedSecrets(result);
  };
}

/** How MinIO spells a target type in its messages (`Webhook`, `PostgreSQL`); other types are capitalized. */
const MINIO_TYPE_NAMES: Readonly<Record<string, string>> = {
  amqp: "AMQP",
  elasticsearch: "Elasticsearch",
  kafka: "Kafka",
  mqtt: "MQTT",
  mysql: "MySQL",
  nats: "NATS",
  nsq: "NSQ",
  postgresql: "PostgreSQL",
  redis: "Redis",
  webhook: "Webhook",
};

function minioTypeName(arnType: string): string {
  return MINIO_TYPE_NAMES[arnType] ?? arnType.charAt(0).toUpperCase() + arnType.slice(1);
}

function fingerprintOf(target: ValidatedTarget): string {
  const values = Object.entries(target.settings.values).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return JSON.stringify([target.settings.type, target.settings.id, values]);
}

class DefaultNotifier implements Notifier {
  private readonly targets = new Map<string, ActiveTarget>();
  private readonly logs = new Map<string, EventLog>();
  private readonly logger: Logger;
  private readonly region: string;
  private readonly retry: Partial<RetryPolicy> | undefined;
  private readonly closeTimeoutMs: number;
  private readonly random: (() => number) | undefined;
  private closed = false;
  private reconfiguring: Promise<void> = Promise.resolve();

  constructor(
    private readonly registry: TargetRegistry,
    private readonly rules: RulesIndex,
    options: NotifierOptions,
    internals: NotifierInternals,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.region = options.region ?? "";
    this.retry = options.retry;
    this.closeTimeoutMs = internals.closeTimeoutMs ?? 10_000;
    this.random = internals.random;
    this.logs.set(MEMORY_LOG_KEY, new MemoryEventLog({ logger: this.logger }));
  }

  arns(): string[] {
    return [...this.targets.values()].map((target) => target.arn);
  }

  setBucketRules(bucket: string, configuration: NotificationConfiguration): void {
    this.rules.set(bucket, configuration);
  }

  getBucketRules(bucket: string): NotificationConfiguration | undefined {
    return this.rules.get(bucket);
  }

  removeBucketRules(bucket: string): void {
    this.rules.remove(bucket);
  }

  match(bucket: string, eventName: EventName, key: string): string[] {
    return [...this.rules.match(bucket, eventName, key)];
  }

  async publish(event: EventInput | EventRecord): Promise<PublishResult> {
    if (this.closed) throw new S3NotifyError("S3NOTIFY_ERR_NOTIFIER_CLOSED", "the notifier is closed");
    const bucket = isEventRecord(event) ? event.s3.bucket.name : event.bucket;
    const key = isEventRecord(event) ? queryUnescape(event.s3.object.key) : (event.key ?? "");
    const matched = this.rules.match(bucket, event.eventName, key);
    const byLog = new Map<EventLog, string[]>();
    for (const targetId of matched) {
      const target = this.targets.get(targetId);
      if (!target) continue;
      const ids = byLog.get(target.log);
      if (ids) ids.push(targetId);
      else byLog.set(target.log, [targetId]);
    }
    const accepted: string[] = [];
    const refused: { targetId: string; reason: string }[] = [];
    if (byLog.size === 0) return { accepted, refused };
    // Built only when some target hears it.
    const record = isEventRecord(event) ? event : buildEventRecord(event, { escapeKey: true });
    // One append per log, however many of its targets hear the event.
    const results = await Promise.all(
      [...byLog].map(([log, targets]) =>
        log.append([{ record, targets }]).catch((error: unknown): LogAppendResult[] => {
          // The store failed (disk full, I/O error): the event is refused for these targets, the host carries on.
          const reason = `unable to save the event in ${log.description}: ${error instanceof Error ? error.message : String(error)}`;
          return [{ position: undefined, accepted: [], refused: targets.map((targetId) => ({ targetId, reason })) }];
        }),
      ),
    );
    for (const [result] of results) {
      if (!result) continue;
      accepted.push(...result.accepted);
      for (const refusal of result.refused) {
        refused.push(refusal);
        this.targets.get(refusal.targetId)?.runner.recordRefused();
        this.logger.error(`unable to save the event for '${refusal.targetId}': ${refusal.reason}`, { targetId: refusal.targetId });
      }
    }
    return { accepted, refused };
  }

  validationContext(): RulesValidationContext {
    return { region: this.region, targetExists: (targetId) => this.targets.has(targetIdString(targetId)) };
  }

  reconfigure(config: NotifyConfig): Promise<void> {
    const next = this.reconfiguring.then(() => this.apply(config));
    this.reconfiguring = next.catch(() => {});
    return next;
  }

  /** Diff by target id and settings: unchanged targets keep running, removed ones drain and close, changed ones are replaced on the same queue. */
  async apply(config: NotifyConfig): Promise<void> {
    if (this.closed) throw new S3NotifyError("S3NOTIFY_ERR_NOTIFIER_CLOSED", "the notifier is closed");
    // Validate everything and open every new queue_dir before touching a running target: a bad config changes nothing.
    const wanted = new Map<string, WantedTarget>();
    for (const resolved of validateNotifyConfig(config, this.registry)) {
      const targetId = targetIdString({ id: resolved.settings.id, type: resolved.plugin.arnType });
      const fingerprint = fingerprintOf(resolved);
      const active = this.targets.get(targetId);
      // Targets are made up front (create() must not connect): a plugin throwing here changes nothing either.
      const target =
        active?.fingerprint === fingerprint
          ? undefined
          : resolved.plugin.create(resolved.config, { targetId: { id: resolved.settings.id, type: resolved.plugin.arnType }, logger: this.logger });
      wanted.set(targetId, { resolved, fingerprint, logKey: logKeyOf(resolved), target });
    }
    await this.openLogs([...wanted.values()]);
    // A queue_dir MinIO used: its pending events join the log before the target's runner starts.
    for (const [targetId, next] of wanted) {
      if (this.targets.has(targetId) || next.logKey === MEMORY_LOG_KEY) continue;
      await importMinioQueue({
        log: this.logs.get(next.logKey) as EventLog,
        queueDir: next.logKey,
        minioType: next.resolved.plugin.arnType,
        id: next.resolved.settings.id,
        targetId,
        logger: this.logger,
      });
    }

    const stopping: Promise<void>[] = [];
    for (const [targetId, active] of [...this.targets]) {
      const next = wanted.get(targetId);
      if (next && next.fingerprint === active.fingerprint) continue;
      if (next) {
        // Changed: from now on publish appends to the new queue; the old runner stops, the new one resumes there.
        const log = this.logs.get(next.logKey) as EventLog;
        this.targets.set(targetId, { ...active, log, logKey: next.logKey, fingerprint: "" });
        const handOver = next.logKey === active.logKey;
        stopping.push(active.runner.close(this.closeTimeoutMs, { handOver }).then(() => this.startTarget(targetId, next, active.runner.stats())));
        continue;
      }
      // Removed: stop accepting, drain (memory) or keep (file) what is queued, close.
      this.targets.delete(targetId);
      stopping.push(
        active.runner.close(this.closeTimeoutMs).then(() => {
          if (active.log instanceof MemoryEventLog) active.log.discard(targetId);
        }),
      );
    }
    await Promise.all(stopping);
    for (const [targetId, next] of wanted) if (!this.targets.has(targetId)) this.startTarget(targetId, next);

    const used = new Set([...this.targets.values()].map((target) => target.logKey));
    for (const [logKey, log] of this.logs) {
      if (logKey === MEMORY_LOG_KEY || used.has(logKey)) continue;
      this.logs.delete(logKey);
      await log.close();
    }
  }

  private startTarget(targetId: string, next: WantedTarget, carryOver?: TargetStats): void {
    const { resolved, fingerprint, logKey, target } = next;
    if (!target) return;
    const log = this.logs.get(logKey) as EventLog;
    const arn = formatArn({ region: this.region, id: resolved.settings.id, type: resolved.plugin.arnType });
    const runner = new TargetRunner({
      target,
      targetId,
      arn,
      consumer: log.consumer(targetId, { queueLimit: resolved.queueLimit }),
      durable: logKey !== MEMORY_LOG_KEY,
      logger: this.logger,
      ...(this.retry ? { retry: this.retry } : {}),
      ...(this.random ? { random: this.random } : {}),
      ...(carryOver ? { carryOver } : {}),
      redact: secretRedactor(resolved),
    });
    runner.start();
    this.targets.set(targetId, { targetId, fingerprint, arn, logKey, log, runner });
  }

  /** Opens the FileEventLog of every queue_dir not open yet; on failure closes the ones it opened and throws. */
  private async openLogs(targets: readonly WantedTarget[]): Promise<void> {
    const opened: string[] = [];
    try {
      for (const { resolved, logKey } of targets) {
        if (this.logs.has(logKey)) continue;
        this.logs.set(logKey, await this.openLog(logKey, resolved));
        opened.push(logKey);
      }
    } catch (error) {
      for (const logKey of opened) {
        await this.logs.get(logKey)?.close();
        this.logs.delete(logKey);
      }
      throw error;
    }
  }

  private async openLog(logKey: string, target: ValidatedTarget): Promise<EventLog> {
    try {
      return await FileEventLog.open(logKey, { logger: this.logger });
    } catch (error) {
      throw new S3NotifyError(
        "S3NOTIFY_ERR_STORE_INIT",
        `unable to initialize the queue store of ${minioTypeName(target.plugin.arnType)} \`${target.settings.id}\`: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  stats(): TargetStats[] {
    return [...this.targets.values()].map((target) => target.runner.stats());
  }

  async drain(timeoutMs = 30_000): Promise<boolean> {
    const results = await Promise.all([...this.targets.values()].map((target) => target.runner.whenIdle(timeoutMs)));
    return results.every(Boolean);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reconfiguring;
    await Promise.all([...this.targets.values()].map((target) => target.runner.close(this.closeTimeoutMs)));
    for (const log of this.logs.values()) await log.close();
    this.logs.clear();
  }
}

/**
 * Compose a notifier: plugins (explicit, then discovered), validated targets,
 * one FileEventLog per distinct queue_dir (a MemoryEventLog for the others),
 * one runner per target. Resolves once every target is started (not connected:
 * targets open lazily in their runner and are retried with backoff).
 */
export async function createNotifier(options: NotifierOptions, internals: NotifierInternals = {}): Promise<Notifier> {
  const container = createCoreContainer(options.logger ? { logger: options.logger } : {});
  await installTargetPlugins(container, {
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.discoverFrom !== undefined ? { discoverFrom: options.discoverFrom } : {}),
  });
  const notifier = new DefaultNotifier(resolveTargetRegistry(container), new RulesIndex(), options, internals);
  try {
    await notifier.apply(options.config);
  } catch (error) {
    await notifier.close().catch(() => {});
    throw error;
  }
  return notifier;
}
