// Public types of @s3notify/core. Every type a host or a target plugin author
// sees is declared here and re-exported by name from index.ts.

// ---------------------------------------------------------------------------
// Events (facts §1, §2)
// ---------------------------------------------------------------------------

/** A concrete MinIO event name: the only values that appear in a delivered record. */
export type EventName =
  | "s3:ObjectAccessed:Get"
  | "s3:ObjectAccessed:GetRetention"
  | "s3:ObjectAccessed:GetLegalHold"
  | "s3:ObjectAccessed:Head"
  | "s3:ObjectAccessed:Attributes"
  | "s3:ObjectCreated:CompleteMultipartUpload"
  | "s3:ObjectCreated:Copy"
  | "s3:ObjectCreated:Post"
  | "s3:ObjectCreated:Put"
  | "s3:ObjectCreated:PutRetention"
  | "s3:ObjectCreated:PutLegalHold"
  | "s3:ObjectCreated:PutTagging"
  | "s3:ObjectCreated:DeleteTagging"
  | "s3:ObjectRemoved:Delete"
  | "s3:ObjectRemoved:DeleteMarkerCreated"
  | "s3:ObjectRemoved:DeleteAllVersions"
  | "s3:ObjectRemoved:NoOP"
  | "s3:BucketCreated:*"
  | "s3:BucketRemoved:*"
  | "s3:Replication:OperationFailedReplication"
  | "s3:Replication:OperationCompletedReplication"
  | "s3:Replication:OperationMissedThreshold"
  | "s3:Replication:OperationReplicatedAfterThreshold"
  | "s3:Replication:OperationNotTracked"
  | "s3:ObjectRestore:Post"
  | "s3:ObjectRestore:Completed"
  | "s3:ObjectTransition:Failed"
  | "s3:ObjectTransition:Complete"
  | "s3:Scanner:ManyVersions"
  | "s3:Scanner:LargeVersions"
  | "s3:Scanner:BigPrefix"
  | "s3:LifecycleDelMarkerExpiration:Delete";

/** A wildcard name accepted in rules and Listen requests (facts §1.2). */
export type WildcardEventName =
  | "s3:ObjectAccessed:*"
  | "s3:ObjectCreated:*"
  | "s3:ObjectRemoved:*"
  | "s3:Replication:*"
  | "s3:ObjectRestore:*"
  | "s3:ObjectTransition:*";

/** Any name a user may write in a rule: concrete or wildcard. */
export type RuleEventName = EventName | WildcardEventName;

/** One S3 event record, field order exactly as MinIO emits it (facts §2.2). */
export interface EventRecord {
  eventVersion: "2.0";
  eventSource: "minio:s3";
  awsRegion: string;
  /** UTC, always 3 fractional digits and a literal Z. */
  eventTime: string;
  eventName: EventName;
  userIdentity: { principalId: string };
  /** `null` for internal events (no request). */
  requestParameters: Record<string, string> | null;
  responseElements: Record<string, string>;
  s3: {
    s3SchemaVersion: "1.0";
    configurationId: "Config";
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: {
      /** Go url.QueryEscape of the object name for targets; raw for Listen streams. */
      key: string;
      size?: number;
      eTag?: string;
      contentType?: string;
      userMetadata?: Record<string, string>;
      versionId?: string;
      sequencer: string;
    };
  };
  source: { host: string; port: string; userAgent: string };
}

/** The envelope AMQP, MQTT, NATS, NSQ, Kafka and webhook targets publish (facts §2.1). */
export interface LogEnvelope {
  EventName: EventName;
  /** `<bucket>/<decoded object name>`. */
  Key: string;
  Records: [EventRecord];
}

/** What a host knows about an operation; core turns it into an EventRecord. */
export interface EventInput {
  eventName: EventName;
  bucket: string;
  /** Raw (unencoded) object name; "" for bucket events. */
  key?: string;
  size?: number;
  eTag?: string;
  contentType?: string;
  userMetadata?: Record<string, string>;
  versionId?: string;
  /** Object modification time; the sequencer falls back to the event time when absent. */
  modTime?: Date;
  /** The modification time in Unix nanoseconds, when known more precisely than a Date; wins over modTime for the sequencer. */
  modTimeNanoseconds?: bigint;
  /** Absent for internal events: then requestParameters is null. */
  request?: {
    principalId?: string;
    region?: string;
    sourceIp?: string;
    userAgent?: string;
    range?: string;
    requestId?: string;
    nodeIdHash?: string;
    originEndpoint?: string;
    deploymentId?: string;
    contentLength?: number;
  };
  /** Overrides `source.host` for internal events (the node's host:port). */
  sourceHost?: string;
  /** Overrides `source.userAgent` for internal events. */
  userAgent?: string;
  /** Event build time; defaults to now. */
  eventTime?: Date;
}

// ---------------------------------------------------------------------------
// Targets and ARNs (facts §4)
// ---------------------------------------------------------------------------

/** A target's identity: the config id and MinIO's ARN type (`postgresql`, not `postgres`). */
export interface TargetId {
  readonly id: string;
  readonly type: string;
}

export interface Arn {
  readonly region: string;
  readonly id: string;
  readonly type: string;
}

// ---------------------------------------------------------------------------
// The target plugin contract
// ---------------------------------------------------------------------------

/** What a target can do; core's dispatcher shapes batches from it. */
export interface TargetCapabilities {
  /** Largest batch `send` accepts; 1 means one event per call. */
  readonly maxBatchSize: number;
  /** True when the backend keeps the order of a batch and of successive batches. */
  readonly ordered: boolean;
  /** Largest serialized event the backend accepts, if it has a limit. */
  readonly maxPayloadBytes?: number;
}

/**
 * One configured destination. Narrow on purpose: core owns persistence,
 * retries, replay, dead letters, metrics and shutdown order.
 *
 * Failure is one channel: throw. Throw a `TargetError` (see `targetError`)
 * with `retryable: false` for an event that can never succeed; any other
 * thrown value is treated as retryable. A partial failure throws a
 * `TargetBatchError` naming the indexes that were delivered.
 */
export interface Target {
  readonly id: TargetId;
  readonly capabilities: TargetCapabilities;
  /** Connect, create tables or indexes. Retried by core when it throws. */
  open(): Promise<void>;
  /** Deliver every record of the batch, in order, or throw. */
  send(batch: readonly EventRecord[]): Promise<void>;
  /** Cheap reachability check (MinIO's IsActive). Never throws. */
  isActive(): Promise<boolean>;
  /** Release connections. Idempotent. */
  close(): Promise<void>;
}

/** One config key a plugin understands (facts §5). */
export interface ConfigKeySpec {
  /** KV name, e.g. `auth_token`. */
  readonly name: string;
  /** Default as MinIO stores it ("" for empty, "off", "0", "0s"). */
  readonly default: string;
  /** Non-optional when the target is enabled. */
  readonly required?: boolean;
  /** Redacted in dumps, logs and errors. */
  readonly secret?: boolean;
  /** Env suffix after `MINIO_NOTIFY_<TYPE>_` when irregular (e.g. `PUBLISHING_CONFIRMS`). Defaults to the upper-cased name. */
  readonly envName?: string;
  /** Name in the legacy JSON config (`authToken`). Defaults to camelCase of the name; a dotted path addresses nested objects (`tls.enable`). */
  readonly jsonName?: string;
  /** Help text shown by the CLI and docs. */
  readonly help: string;
  /** Accepted only from the environment, never stored (e.g. MinIO's NATS `user_credentials`). */
  readonly envOnly?: boolean;
  /** Value kind: guides the legacy JSON mapping (booleans → on/off, nanosecond numbers → Go durations) and docs. Defaults to "string". */
  readonly kind?: ConfigKeyKind;
}

/** The kind of a config key's value. */
export type ConfigKeyKind = "bool" | "duration" | "int" | "string" | "enum";

/** Raw, merged KV settings of one target: every declared key present, as strings. */
export type RawTargetConfig = Readonly<Record<string, string>>;

export interface ParseContext {
  /** The target id (`_` for the default target). */
  readonly targetId: string;
  /** `notify_<slug>`, for error messages. */
  readonly subsystem: string;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface TargetContext {
  readonly targetId: TargetId;
  readonly logger: Logger;
}

/** The plugin brand, shared across duplicate copies of core through the global symbol registry. */
export const TARGET_PLUGIN_BRAND: unique symbol = Symbol.for("s3notify.core.TargetPlugin") as never;

/** What a target package's default export is (made by `defineTargetPlugin`). */
export interface TargetPlugin<Config = unknown> {
  readonly [TARGET_PLUGIN_BRAND]: true;
  /** The contract version the plugin was written for. */
  readonly apiVersion: number;
  /** Our slug: package suffix, config type, manifest type (`postgres`). */
  readonly type: string;
  /** MinIO's ARN type and queue-dir name (`postgresql`); defaults to `type`. */
  readonly arnType: string;
  /** Keys the plugin understands, beyond core's common keys (enable, queue_dir, queue_limit, comment). */
  readonly keys: readonly ConfigKeySpec[];
  /** Typed config from raw KV settings; throws a ConfigError naming the key. */
  parseConfig(raw: RawTargetConfig, context: ParseContext): Config;
  /** Make the target for one id. Must not connect (targets are lazy). */
  create(config: Config, context: TargetContext): Target;
  /** Optional: map a legacy JSON settings object (nested shapes) onto KV keys. */
  fromLegacyJson?(settings: Readonly<Record<string, unknown>>): Record<string, string>;
}

export interface TargetPluginDefinition<Config> {
  readonly apiVersion?: number;
  readonly type: string;
  readonly arnType?: string;
  readonly keys: readonly ConfigKeySpec[];
  parseConfig(raw: RawTargetConfig, context: ParseContext): Config;
  create(config: Config, context: TargetContext): Target;
  fromLegacyJson?(settings: Readonly<Record<string, unknown>>): Record<string, string>;
}

/** The `"s3notify"` manifest in a target package's package.json. */
export interface TargetPackageManifest {
  readonly kind: "target";
  readonly type: string;
  readonly apiVersion: number;
}

// ---------------------------------------------------------------------------
// Configuration (facts §5)
// ---------------------------------------------------------------------------

/** One target's merged settings, before the plugin parses them. */
export interface TargetSettings {
  /** Our slug (`webhook`, `postgres`). */
  readonly type: string;
  readonly id: string;
  readonly enabled: boolean;
  /** Every key of the plugin plus the common keys, as strings. */
  readonly values: RawTargetConfig;
}

/** The whole notify configuration: targets by `type` then id. */
export interface NotifyConfig {
  readonly targets: readonly TargetSettings[];
}

/** One target as one stored source (KV text, JSON file, environment) gives it: only the keys it sets. */
export interface StoredTargetSettings {
  /** Our slug (`postgres`). */
  readonly type: string;
  readonly id: string;
  readonly values: RawTargetConfig;
}

/** An enabled target that passed validation: ready for `plugin.create(config, ...)`. */
export interface ValidatedTarget<Config = unknown> {
  readonly settings: TargetSettings;
  readonly plugin: TargetPlugin<Config>;
  /** What `plugin.parseConfig` returned. */
  readonly config: Config;
  /** "" when the target keeps its queue in memory. */
  readonly queueDir: string;
  /** `queue_limit`, with 0 already turned into MinIO's 100000. */
  readonly queueLimit: number;
}

// ---------------------------------------------------------------------------
// Delivery
// ---------------------------------------------------------------------------

/** Per-target counters a host can read. */
export interface TargetStats {
  readonly targetId: string;
  readonly arn: string;
  readonly active: boolean;
  /** Events delivered. */
  readonly sent: number;
  /** Send attempts that failed. */
  readonly failed: number;
  /** Events accepted and not yet delivered. */
  readonly queued: number;
  /** Events sent again after a failure. */
  readonly retried: number;
  /** Events refused (store full) or set aside as dead letters. */
  readonly dropped: number;
  readonly deadLettered: number;
  readonly lastError?: string;
}

// ---------------------------------------------------------------------------
// Bucket notification rules (facts §3)
// ---------------------------------------------------------------------------

export interface FilterRule {
  readonly name: "prefix" | "suffix";
  readonly value: string;
}

/** One `<QueueConfiguration>`. */
export interface QueueConfiguration {
  /** `<Id>`, "" when absent. */
  readonly id: string;
  readonly arn: Arn;
  /** As written, in order (wildcards kept). */
  readonly events: readonly RuleEventName[];
  /** In document order; at most one prefix and one suffix. */
  readonly filterRules: readonly FilterRule[];
}

/** A bucket's whole rule set. */
export interface NotificationConfiguration {
  readonly queues: readonly QueueConfiguration[];
}

/** Validation context for PutBucketNotification: the server region and the known targets. */
export interface RulesValidationContext {
  /** Server region; "" when unset (MinIO's default). */
  readonly region: string;
  /** True when a target with this id and ARN type is configured and active. */
  readonly targetExists: (targetId: TargetId) => boolean;
}

// ---------------------------------------------------------------------------
// The host-facing API
// ---------------------------------------------------------------------------

/** Capped exponential backoff with full jitter. */
export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Attempts for one event before it is set aside as a dead letter; Infinity retries forever (MinIO's behaviour). */
  readonly maxAttempts: number;
}

export interface NotifierOptions {
  /** The merged notify configuration (see `loadNotifyConfig`). */
  readonly config: NotifyConfig;
  /** Plugins registered explicitly (bundled apps, tests). */
  readonly plugins?: readonly TargetPlugin[];
  /** Folder holding the host's package.json: its dependencies that are s3notify target packages are loaded. */
  readonly discoverFrom?: string;
  /** Server region, "" by default. */
  readonly region?: string;
  readonly logger?: Logger;
  readonly retry?: Partial<RetryPolicy>;
}

/** The outcome of one publish. */
export interface PublishResult {
  /** Target ids (`<ID>:<TYPE>`) whose queue accepted the event. */
  readonly accepted: readonly string[];
  /** Target ids that refused it (store full), with the reason. */
  readonly refused: readonly { readonly targetId: string; readonly reason: string }[];
}

export interface Notifier {
  /** ARNs of every configured target, for the `SQS ARNs:` banner. */
  arns(): string[];
  /** Replace a bucket's rules (already validated). */
  setBucketRules(bucket: string, configuration: NotificationConfiguration): void;
  getBucketRules(bucket: string): NotificationConfiguration | undefined;
  removeBucketRules(bucket: string): void;
  /** Target ids (`<ID>:<TYPE>`) that hear this event. */
  match(bucket: string, eventName: EventName, key: string): string[];
  /**
   * Route an event to every matching target. Resolves once each matching target's
   * queue holds it (on disk when that target has queue_dir), never waits for delivery.
   */
  publish(event: EventInput | EventRecord): Promise<PublishResult>;
  /** Validation context for PutBucketNotification against the live targets. */
  validationContext(): RulesValidationContext;
  /** Swap targets live: unchanged targets keep running, removed ones drain and close. */
  reconfigure(config: NotifyConfig): Promise<void>;
  stats(): TargetStats[];
  /** Resolves when every queue is empty (or the timeout passes: then false). */
  drain(timeoutMs?: number): Promise<boolean>;
  /** Stop accepting, flush in-flight sends, persist what is left, close targets. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// The registry of target plugins (held in core's tsyringe container)
// ---------------------------------------------------------------------------

export interface RegisteredPlugin {
  readonly plugin: TargetPlugin;
  /** Where it came from: a package name, or `explicit`. */
  readonly source: string;
}

export interface TargetRegistry {
  /** Refuses a second plugin for a type (naming both sources) and an apiVersion core cannot serve. */
  register(plugin: TargetPlugin, source?: string): void;
  /** By our slug (`postgres`). */
  get(type: string): RegisteredPlugin | undefined;
  /** By MinIO's ARN type (`postgresql`). */
  getByArnType(arnType: string): RegisteredPlugin | undefined;
  list(): readonly RegisteredPlugin[];
}
