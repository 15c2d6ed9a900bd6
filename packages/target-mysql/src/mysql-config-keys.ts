import type { ConfigKeySpec } from "@s3notify/core";

/** The `notify_mysql` keys (facts §5.9) plus the discrete connection keys of MinIO's code. */
export const MYSQL_CONFIG_KEYS: readonly ConfigKeySpec[] = [
  {
    name: "format",
    default: "namespace",
    required: true,
    kind: "enum",
    help: "'namespace' keeps one row per object (deleted by s3:ObjectRemoved:Delete), 'access' appends one row per event",
  },
  {
    name: "dsn_string",
    default: "",
    secret: true,
    help: "go-sql-driver DSN, e.g. 'user:password@tcp(127.0.0.1:3306)/minio_events?tls=skip-verify'",
  },
  { name: "table", default: "", required: true, help: "table name; created on first connect when missing" },
  {
    name: "max_open_connections",
    default: "2",
    kind: "int",
    help: "connection pool size; 0 means no limit (a pool of 10 is used)",
  },
  { name: "host", default: "", help: "server host, used when dsn_string is empty" },
  { name: "port", default: "", kind: "int", help: "server port, used when dsn_string is empty (default 3306)" },
  { name: "username", default: "", jsonName: "user", help: "user name, used when dsn_string is empty" },
  { name: "password", default: "", secret: true, help: "password, used when dsn_string is empty" },
  { name: "database", default: "", help: "database name, used when dsn_string is empty" },
];
