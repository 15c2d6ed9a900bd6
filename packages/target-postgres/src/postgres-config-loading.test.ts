import { createTargetRegistry, loadNotifyConfig, validateNotifyConfig } from "@s3notify/core";
import { describe, expect, it } from "vitest";
import { postgresPlugin } from "./postgres-plugin.js";
import type { PostgresTargetConfig } from "./types.js";

// The plugin's keys through core's loader: env names, KV text and legacy JSON end in parseConfig.

function load(options: { env?: Record<string, string>; kv?: string; json?: unknown }) {
  const registry = createTargetRegistry();
  registry.register(postgresPlugin);
  const validated = validateNotifyConfig(loadNotifyConfig({ registry, ...options }), registry);
  return validated.map((target) => ({ id: target.settings.id, config: target.config as PostgresTargetConfig }));
}

describe("postgres config through core's loader", () => {
  it("reads MINIO_NOTIFY_POSTGRES_* variables", () => {
    const [target] = load({
      env: {
        MINIO_NOTIFY_POSTGRES_ENABLE_PRIMARY: "on",
        MINIO_NOTIFY_POSTGRES_CONNECTION_STRING_PRIMARY: "host=db port=5433 dbname=events user=minio password=pw sslmode=disable",
        MINIO_NOTIFY_POSTGRES_TABLE_PRIMARY: "bucketevents",
        MINIO_NOTIFY_POSTGRES_FORMAT_PRIMARY: "access",
        MINIO_NOTIFY_POSTGRES_MAX_OPEN_CONNECTIONS_PRIMARY: "5",
      },
    });
    expect(target?.id).toBe("PRIMARY");
    expect(target?.config).toMatchObject({ format: "access", table: "bucketevents", poolSize: 5 });
    expect(target?.config.connection).toMatchObject({ host: "db", port: 5433, database: "events", user: "minio" });
  });

  it("reads MinIO's KV form", () => {
    const [target] = load({ kv: `notify_postgres:1 connection_string="host=db dbname=events sslmode=disable" table=events format=namespace` });
    expect(target?.config).toMatchObject({ format: "namespace", table: "events", poolSize: 2 });
  });

  it("reads the legacy JSON form, 2019-era `user` included", () => {
    const [target] = load({
      json: {
        version: "33",
        notify: {
          postgresql: {
            "1": {
              enable: true,
              format: "namespace",
              connectionString: "",
              table: "events",
              host: "db",
              port: "5432",
              user: "old",
              password: "pw",
              database: "d",
              queueDir: "",
              queueLimit: 0,
              maxOpenConnections: 3,
            },
          },
        },
      },
    });
    expect(target?.config).toMatchObject({ table: "events", poolSize: 3 });
    expect(target?.config.connection).toMatchObject({ host: "db", port: 5432, user: "old", database: "d" });
  });
});
