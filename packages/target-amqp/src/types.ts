/** Typed settings of one AMQP target, made by `parseAmqpConfig` from MinIO's `notify_amqp` keys. */
export interface AmqpConfig {
  /** The broker URL, with the password: never log it (use `redactedUrl`). */
  readonly url: string;
  /** The URL with its password replaced by `***`, for logs and errors. */
  readonly redactedUrl: string;
  readonly exchange: string;
  readonly exchangeType: string;
  readonly routingKey: string;
  readonly mandatory: boolean;
  readonly durable: boolean;
  readonly internal: boolean;
  readonly noWait: boolean;
  readonly autoDeleted: boolean;
  /** 0 leaves the property unset, 1 transient, 2 persistent. */
  readonly deliveryMode: 0 | 1 | 2;
  readonly publisherConfirms: boolean;
}
