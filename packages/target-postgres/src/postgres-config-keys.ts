import type { ConfigKeySpec } from "@s3notify/core";

/** The `notify_postgres` keys (facts §5.8) plus the discrete connection keys of MinIO's code. */
export const POSTGRES_CONFIG_KEYS: readonly ConfigKeySpec[] = [
  {
    name: "format",
    default: "namespace",
    required: true,
    kind: "enum",
    help: "'namespace' keeps one row per object (deleted by s3:ObjectRemoved:Delete), 'access' appends one row per event",
  },
  {
    name: "connection_string",
    default: "",
    secret: true,
    help: "libpq connection string, e.g. 'host=127.0.0.1 port=5432 dbname=minio_events user=postgres password=... sslmode=disable', or a postgres:// URL",
  },
  { name: "table", default: "", required: true, help: "table name; created on first connect when missing" },
  {
    name: "max_open_connections",
    default: "2",
    kind: "int",
    help: "connection pool size; 0 means no limit (a pool of 10 is used)",
  },
  { name: "host", default: "", help: "server host, used when connection_string is empty" },
  { name: "port", default: "", kind: "int", help: "server port, used when connection_string is empty (default 5432)" },
  { name: "username", default: "", help: "user name, used when connection_string is empty" },
  { name: "user", default: "", help: "deprecated alias of username (2019-era configs)" },
  { name: "password", default: "", secret: true, help: "password, used when connection_string is empty" },
  { name: "database", default: "", help: "database name, used when connection_string is empty" },
];
