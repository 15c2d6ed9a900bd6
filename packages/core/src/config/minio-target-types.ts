/** MinIO's notify target slugs and the package that serves each (facts §5.1). */
export const MINIO_TARGET_TYPES: readonly string[] = Object.freeze([
  "amqp",
  "elasticsearch",
  "kafka",
  "mqtt",
  "mysql",
  "nats",
  "nsq",
  "postgres",
  "redis",
  "webhook",
]);

/** A hint for a type no plugin serves: the bundled package to install, when there is one. */
export function missingPluginHint(type: string): string {
  const slug = type === "postgresql" ? "postgres" : type;
  return MINIO_TARGET_TYPES.includes(slug)
    ? `no target plugin for '${slug}' is registered: add @s3notify/target-${slug} to the host's dependencies`
    : `no target plugin for '${type}' is registered`;
}
