import type { EventRecord, TargetPlugin } from "@s3notify/core";

// ---------------------------------------------------------------------------
// Service launcher: real servers from Debian's packages on loopback
// ---------------------------------------------------------------------------

export type ServiceName = "redis" | "postgres" | "mariadb" | "rabbitmq" | "mosquitto" | "nats";

export interface StartServiceOptions {
  /** Install the Debian package when the server binary is missing and we run as root (default true). */
  readonly install?: boolean;
  /** Deadline for the ready check, in ms. */
  readonly readyTimeoutMs?: number;
  /**
   * RabbitMQ only: also open a TLS listener (exposed as `ports.amqps`) with these PEM files; the plain
   * listener stays. Clients are not asked for certificates (`verify_none`).
   */
  readonly tls?: ServiceTlsFiles;
  /**
   * PostgreSQL and MariaDB: keep the server's own durability defaults (PostgreSQL fsync and
   * synchronous_commit on; InnoDB flushing its log at every commit), as a production server runs.
   * By default the launcher turns those flushes off, which makes tests fast and changes no result.
   */
  readonly durable?: boolean;
}

export interface ServiceTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

export interface RunningService {
  readonly name: ServiceName;
  readonly host: "127.0.0.1";
  /** The main client port. */
  readonly port: number;
  /** Extra listeners by name: mosquitto `ws`, nats `monitor`, rabbitmq `amqps` (with the `tls` option). */
  readonly ports: Readonly<Record<string, number>>;
  /**
   * A client URL: redis://127.0.0.1:P, postgres://postgres@127.0.0.1:P/postgres,
   * mysql://root@127.0.0.1:P/, amqp://guest:guest@127.0.0.1:P, mqtt://127.0.0.1:P, nats://127.0.0.1:P
   */
  readonly url: string;
  readonly dataDir: string;
  /** Stop the server process (data kept): an outage. */
  stop(): Promise<void>;
  /** Start it again on the same ports with the same data dir; resolves when ready. */
  start(): Promise<void>;
  /** Stop and delete the data dir. */
  dispose(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Conformance suite
// ---------------------------------------------------------------------------

/** Which semantics the target has for a format. */
export type DeliveryShape =
  /** Every event arrives, in order (webhook, messaging targets, `access` format). */
  | "log"
  /** Only the latest record per object is kept; `s3:ObjectRemoved:Delete` removes it (`namespace` format). */
  | "namespace";

export interface ConformanceFormat {
  /** The value of the `format` key, or undefined for targets without one. */
  readonly format?: string;
  readonly shape: DeliveryShape;
}

/** A backend the suite can deliver to and read back from with the backend's own client. */
export interface ConformanceBackend {
  /** Config values (KV keys as strings) for a target that writes to a fresh place (new table/topic/key) named `scope`. */
  config(scope: string, format?: string): Record<string, string>;
  /** For `log` shape: every record that arrived for `scope`, in arrival order. */
  readEvents?(scope: string, format?: string): Promise<EventRecord[]>;
  /** For `namespace` shape: `bucket/object` → the latest record kept for `scope`. */
  readState?(scope: string, format?: string): Promise<Map<string, EventRecord>>;
  /** Make the backend unreachable (stop the server or the test broker), keeping its data. */
  stop(): Promise<void>;
  /** Make it reachable again on the same address; resolves when ready. */
  start(): Promise<void>;
  /** Release everything. */
  close(): Promise<void>;
}

export interface InvalidConfigCase {
  readonly description: string;
  /** Values layered over a valid config. */
  readonly values: Record<string, string>;
  /** The key the ConfigError must name. */
  readonly key: string;
}

export interface ConformanceOptions<Config = unknown> {
  readonly plugin: TargetPlugin<Config>;
  /** Called once (beforeAll); closed in afterAll. */
  readonly backend: () => Promise<ConformanceBackend>;
  /** Default: one `log` format without a `format` key. */
  readonly formats?: readonly ConformanceFormat[];
  readonly invalidConfigs: readonly InvalidConfigCase[];
  /** Per-wait deadline, default 20 s. */
  readonly timeoutMs?: number;
}
