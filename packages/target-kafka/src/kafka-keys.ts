import type { ConfigKeySpec } from "@s3notify/core";

/** MinIO's notify_kafka keys (facts §5.4), plus `acks`, an s3notify extension. */
export const KAFKA_KEYS: readonly ConfigKeySpec[] = [
  { name: "brokers", default: "", required: true, help: "comma separated list of Kafka broker addresses (host:port)" },
  { name: "topic", default: "", help: "Kafka topic used for bucket notifications" },
  { name: "sasl_username", jsonName: "sasl.username", default: "", help: "username for SASL plain, SCRAM-SHA-256 or SCRAM-SHA-512 authentication" },
  { name: "sasl_password", jsonName: "sasl.password", default: "", secret: true, help: "password for SASL authentication" },
  { name: "sasl_mechanism", jsonName: "sasl.mechanism", default: "plain", help: "SASL mechanism: plain, sha256 or sha512" },
  { name: "client_tls_cert", jsonName: "tls.clientTLSCert", default: "", help: "path to the client certificate (PEM) for mTLS" },
  { name: "client_tls_key", jsonName: "tls.clientTLSKey", default: "", help: "path to the client key (PEM) for mTLS" },
  {
    name: "tls_client_auth",
    jsonName: "tls.clientAuth",
    default: "0",
    help: "Go tls.ClientAuthType (0-4); accepted for compatibility, the client does not use it",
  },
  { name: "sasl", jsonName: "sasl.enable", default: "off", help: "set to 'on' to enable SASL authentication" },
  { name: "tls", jsonName: "tls.enable", default: "off", help: "set to 'on' to enable TLS" },
  { name: "tls_skip_verify", jsonName: "tls.skipVerify", default: "off", help: "set to 'on' to trust any broker certificate" },
  { name: "version", default: "", help: "Kafka protocol version (accepted for compatibility; versions are negotiated with ApiVersions)" },
  { name: "batch_size", default: "0", help: "largest number of events sent in one produce request (0: s3notify's default of 100)" },
  { name: "batch_commit_timeout", default: "0s", help: "accepted for compatibility; events are sent as soon as they are stored" },
  { name: "compression_codec", default: "", envName: "PRODUCER_COMPRESSION_CODEC", jsonName: "producer.compression", help: "none, gzip or snappy" },
  {
    name: "compression_level",
    default: "",
    envName: "PRODUCER_COMPRESSION_LEVEL",
    jsonName: "producer.compressionLevel",
    help: "accepted for compatibility; the client picks the level",
  },
  { name: "acks", default: "1", help: "s3notify extension: acknowledgements to wait for: 0, 1 (MinIO's choice) or all" },
];
