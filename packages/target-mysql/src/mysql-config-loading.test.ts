import { createTargetRegistry, loadNotifyConfig, validateNotifyConfig } from "@s3notify/core";
import { describe, expect, it } from "vitest";
import { mysqlPlugin } from "./mysql-plugin.js";
import type { MysqlTargetConfig } from "./types.js";

// The plugin's keys through core's loader: env names, KV text and legacy JSON end in parseConfig.

function load(options: { env?: Record<string, string>; kv?: string; json?: unknown }) {
  const registry = createTargetRegistry();
  registry.register(mysqlPlugin);
  const validated = validateNotifyConfig(loadNotifyConfig({ registry, ...options }), registry);
  return validated.map((target) => ({ id: target.settings.id, config: target.config as MysqlTargetConfig }));
}

describe("mysql config through core's loader", () => {
  it("reads MINIO_NOTIFY_MYSQL_* variables", () => {
    const [target] = load({
      env: {
        MINIO_NOTIFY_MYSQL_ENABLE: "on",
        MINIO_NOTIFY_MYSQL_DSN_STRING: "minio:pw@tcp(db:3307)/events",
        MINIO_NOTIFY_MYSQL_TABLE: "bucketevents",
        MINIO_NOTIFY_MYSQL_FORMAT: "access",
      },
    });
    expect(target?.id).toBe("_");
    expect(target?.config).toMatchObject({ format: "access", table: "bucketevents", poolSize: 2 });
    expect(target?.config.connection).toMatchObject({ host: "db", port: 3307, database: "events", user: "minio" });
  });

  it("reads MinIO's KV form", () => {
    const [target] = load({ kv: `notify_mysql:1 dsn_string="root@tcp(db:3306)/events" table=events max_open_connections=0` });
    expect(target?.config).toMatchObject({ format: "namespace", table: "events", poolSize: 10 });
  });

  it("reads the legacy JSON form (`user` is the JSON name of username)", () => {
    const [target] = load({
      json: {
        version: "33",
        notify: {
          mysql: {
            "1": {
              enable: true,
              format: "namespace",
              dsnString: "",
              table: "events",
              host: "db",
              port: "3306",
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
    expect(target?.config.connection).toMatchObject({ host: "db", port: 3306, user: "old", database: "d" });
  });
});
