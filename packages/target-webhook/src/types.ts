/** The parsed `notify_webhook` settings of one target. */
export interface WebhookConfig {
  /** The http(s) URL events are POSTed to, exactly as configured (query string kept). */
  readonly endpoint: string;
  /** `auth_token` as configured (secret): see `authorizationHeader`. */
  readonly authToken: string;
  /** PEM client certificate file for mTLS, "" when unset. */
  readonly clientCert: string;
  /** PEM client key file for mTLS, "" when unset. */
  readonly clientKey: string;
}

/** Options only a host that constructs `WebhookTarget` itself can pass (no config key exists for them). */
export interface WebhookTargetOptions {
  /** Extra trusted CA certificates (PEM); by default Node's root CAs are used, like MinIO uses the system's. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** TCP connect timeout, default 5 s (MinIO's dial timeout). */
  readonly connectTimeoutMs?: number;
  /** TLS handshake timeout, default 10 s. */
  readonly tlsHandshakeTimeoutMs?: number;
  /** Time allowed for the response headers once the request is written, default 60 s. */
  readonly responseHeaderTimeoutMs?: number;
  /** Idle keep-alive connections are closed after this, default 15 s. */
  readonly idleTimeoutMs?: number;
}
