/** Typed settings of one NATS target, made by `parseNatsConfig` from MinIO's `notify_nats` keys. */
export interface NatsConfig {
  /** `host:port` entries from `address` (a comma-separated list is accepted). */
  readonly servers: readonly string[];
  readonly subject: string;
  readonly username: string;
  /** Never log it. */
  readonly password: string;
  /** Never log it. */
  readonly token: string;
  readonly tls: boolean;
  readonly tlsSkipVerify: boolean;
  readonly certAuthority: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** Parsed as an integer like MinIO, and like MinIO not used. */
  readonly pingInterval: number;
  readonly jetstream: boolean;
  readonly streaming: boolean;
  readonly streamingAsync: boolean;
  /** 0 keeps the client's default. */
  readonly streamingMaxPubAcksInFlight: number;
  readonly streamingClusterId: string;
  /** Env-only: path of a .creds file. */
  readonly userCredentials: string;
  /** Env-only: path of an NKey seed file. */
  readonly nkeySeed: string;
  /** Env-only: TLS before the NATS INFO exchange. */
  readonly tlsHandshakeFirst: boolean;
}
