import { describe, expect, it } from "vitest";
import type { ConfigError } from "../errors/config-error.js";
import { defineTargetPlugin } from "../plugin/define-target-plugin.js";
import type { NotifyConfig } from "../types.js";
import { allKeysFor, COMMON_KEYS } from "./common-keys.js";
import { amqpLike, kafkaLike, postgresLike, testRegistry, webhookLike } from "./config.fixture.js";
import { dumpConfigJson, dumpConfigKv } from "./dump-config.js";
import { envNameFor } from "./env-name.js";
import { loadNotifyConfig } from "./load-notify-config.js";
import type { NotifyConfigError } from "./notify-config-error.js";
import { parseJsonConfig } from "./parse-json-config.js";
import { parseKvConfig } from "./parse-kv-config.js";
import { readEnvConfig } from "./read-env-config.js";
import { redactEmbeddedSecrets } from "./redact.js";
import { validateNotifyConfig } from "./validate-notify-config.js";

function caught<T extends Error>(action: () => unknown): T {
  try {
    action();
  } catch (error) {
    return error as T;
  }
  throw new Error("expected a throw");
}

const registry = testRegistry();

describe("common keys and env names", () => {
  it("adds the common keys after the plugin's own", () => {
    expect(allKeysFor(webhookLike).map((key) => key.name)).toEqual([
      "endpoint",
      "auth_token",
      "client_cert",
      "client_key",
      "enable",
      "queue_dir",
      "queue_limit",
      "comment",
    ]);
    expect(COMMON_KEYS.find((key) => key.name === "enable")?.default).toBe("off");
    expect(COMMON_KEYS.find((key) => key.name === "queue_limit")?.default).toBe("0");
  });

  it("builds MinIO's env names, irregular ones and ids included", () => {
    expect(envNameFor(webhookLike, "endpoint")).toBe("MINIO_NOTIFY_WEBHOOK_ENDPOINT");
    expect(envNameFor(webhookLike, "auth_token", "primary")).toBe("MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_primary");
    expect(envNameFor(postgresLike, "connection_string", "1")).toBe("MINIO_NOTIFY_POSTGRES_CONNECTION_STRING_1");
    expect(envNameFor(amqpLike, "publisher_confirms")).toBe("MINIO_NOTIFY_AMQP_PUBLISHING_CONFIRMS");
    expect(envNameFor(kafkaLike, "compression_codec", "X")).toBe("MINIO_NOTIFY_KAFKA_PRODUCER_COMPRESSION_CODEC_X");
    expect(envNameFor(webhookLike, "queue_dir")).toBe("MINIO_NOTIFY_WEBHOOK_QUEUE_DIR");
  });
});

describe("parseKvConfig", () => {
  it("reads named and default targets, quoted and unquoted values, comments and blank lines", () => {
    const text = [
      "# notify settings",
      "",
      'notify_webhook:1 endpoint="http://x/a b" queue_dir="/tmp/q" auth_token=abc comment="say \\"hi\\" \\\\ done"',
      "notify_webhook endpoint=http://default  enable=off",
      "   notify_postgres:pg1 connection_string='host=h password=p' table=events",
      "notify_webhook:1 queue_limit=10 # trailing comment",
    ].join("\n");
    expect(parseKvConfig(text, registry)).toEqual([
      {
        type: "webhook",
        id: "1",
        values: { endpoint: "http://x/a b", queue_dir: "/tmp/q", auth_token: "abc", comment: 'say "hi" \\ done', queue_limit: "10" },
      },
      { type: "webhook", id: "_", values: { endpoint: "http://default", enable: "off" } },
      { type: "postgres", id: "pg1", values: { connection_string: "host=h password=p", table: "events" } },
    ]);
  });

  it("reads CRLF text and tabs", () => {
    expect(
      parseKvConfig("notify_webhook:1\tendpoint=http://x\r\nnotify_webhook:2 endpoint=http://y\r\n", registry).map((target) => target.values.endpoint),
    ).toEqual(["http://x", "http://y"]);
  });

  it("keeps an empty value", () => {
    expect(parseKvConfig('notify_webhook:a endpoint= auth_token=""', registry)[0]?.values).toEqual({ endpoint: "", auth_token: "" });
  });

  it("refuses an unknown sub-system, unless told to skip non-notify ones", () => {
    const error = caught<ConfigError>(() => parseKvConfig("notify_foo:1 a=b", registry));
    expect(error.code).toBe("S3NOTIFY_ERR_CONFIG");
    expect(error.message).toContain("unknown sub-system 'notify_foo'");
    expect(() => parseKvConfig("region name=us-east-1", registry)).toThrow(/unknown sub-system 'region'/);
    expect(parseKvConfig("region name=us-east-1\nnotify_webhook endpoint=http://x", registry, { ignoreOtherSubsystems: true })).toHaveLength(1);
  });

  it("refuses unknown keys with MinIO's message, secret-looking values redacted", () => {
    const error = caught<ConfigError>(() => parseKvConfig('notify_webhook:1 endpoint=http://x bogus=1 api_password="hunter2" url=amqp://u:s3cr3t@h', registry));
    expect(error.message).toBe(
      "notify_webhook:1: found invalid keys (bogus=1 api_password=*redacted* url=amqp://u:*redacted*@h) for 'notify_webhook:1' sub-system, use 'mc admin config reset myminio notify_webhook:1' to fix invalid keys",
    );
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("s3cr3t");
    expect(error.subsystem).toBe("notify_webhook");
    expect(error.targetId).toBe("1");
  });

  it("refuses env-only keys in stored config", () => {
    expect(() => parseKvConfig("notify_amqp url=amqp://h immediate=on", registry)).toThrow(/found invalid keys \(immediate=on\)/);
  });

  it("refuses malformed lines", () => {
    expect(() => parseKvConfig('notify_webhook endpoint="http://x', registry)).toThrow(/line 1: unterminated quoted value/);
    expect(() => parseKvConfig("notify_webhook endpoint", registry)).toThrow(/expected key=value/);
    expect(() => parseKvConfig("notify_webhook: endpoint=x", registry)).toThrow(/invalid target id/);
  });
});

describe("parseJsonConfig", () => {
  it("maps the legacy JSON shape onto KV keys", () => {
    const json = JSON.stringify({
      version: "33",
      region: "",
      notify: {
        webhook: { "1": { enable: true, endpoint: "http://x", authToken: "tok", queueDir: "", queueLimit: 0, clientCert: "", clientKey: "" } },
        postgresql: { "1": { enable: false, format: "namespace", connectionString: "host=h", table: "t", host: "ignored", maxOpenConnections: 5 } },
        amqp: {
          "1": { enable: true, url: "amqp://h", durable: true, publisherConfirms: false, deliveryMode: 2, batchCommitTimeout: 90_000_000_000, immediate: true },
        },
        kafka: { "1": { enable: true, brokers: ["a:9092", "b:9092"], tls: { enable: true }, sasl: { password: "pw" }, producer: { compression: "gzip" } } },
      },
    });
    expect(parseJsonConfig(json, registry)).toEqual([
      {
        type: "webhook",
        id: "1",
        values: { endpoint: "http://x", auth_token: "tok", client_cert: "", client_key: "", enable: "on", queue_dir: "", queue_limit: "0" },
      },
      { type: "postgres", id: "1", values: { format: "namespace", connection_string: "host=h", table: "t", max_open_connections: "5", enable: "off" } },
      {
        type: "amqp",
        id: "1",
        values: { url: "amqp://h", durable: "on", publisher_confirms: "off", immediate: "on", delivery_mode: "2", batch_commit_timeout: "1m30s", enable: "on" },
      },
      { type: "kafka", id: "1", values: { brokers: "a:9092,b:9092", tls: "on", sasl_password: "pw", compression_codec: "gzip", enable: "on" } },
    ]);
  });

  it("infers bool, duration and int kinds from the default when a key declares none", () => {
    const local = testRegistry();
    local.register(
      defineTargetPlugin({
        type: "mqtt",
        keys: [
          { name: "reconnect_interval", default: "0s", help: "" },
          { name: "clean", default: "off", help: "" },
          { name: "qos", default: "0", help: "" },
        ],
        parseConfig: (raw) => raw,
        create: () => {
          throw new Error("unused");
        },
      }),
    );
    const [target] = parseJsonConfig({ notify: { mqtt: { "1": { reconnectInterval: 1_500_000_000, clean: true, qos: 1 } } } }, local);
    expect(target?.values).toEqual({ reconnect_interval: "1.5s", clean: "on", qos: "1" });
    const dumped = JSON.parse(dumpConfigJson(loadNotifyConfig({ registry: local, kv: "notify_mqtt:1 clean=on qos=2" }), local));
    expect(dumped.notify.mqtt["1"]).toMatchObject({ clean: true, qos: 2, reconnectInterval: "0s" });
  });

  it("accepts snake_case keys, our slug as type, and a settings object without an id (legacy id 1)", () => {
    const parsed = parseJsonConfig({ notify: { postgres: { connection_string: "host=h", table: "t", queue_limit: 7 } } }, registry);
    expect(parsed).toEqual([{ type: "postgres", id: "1", values: { connection_string: "host=h", table: "t", queue_limit: "7" } }]);
  });

  it("returns nothing without a notify section and refuses an unknown type or bad JSON", () => {
    expect(parseJsonConfig({ version: "33" }, registry)).toEqual([]);
    expect(() => parseJsonConfig({ notify: { sqs: { "1": {} } } }, registry)).toThrow(/unknown target type 'sqs'/);
    expect(() => parseJsonConfig("{", registry)).toThrow(/invalid JSON configuration/);
    expect(() => parseJsonConfig({ notify: { webhook: { "1": { endpoint: { nested: 1 } } } } }, registry)).toThrow(
      /notify_webhook:1: endpoint: expected a string/,
    );
  });
});

describe("readEnvConfig", () => {
  it("discovers targets from ENABLE variables, ids case kept, values trimmed and non-empty", () => {
    const env = {
      MINIO_NOTIFY_WEBHOOK_ENABLE: "on",
      MINIO_NOTIFY_WEBHOOK_ENDPOINT: "  http://default  ",
      MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN: "",
      MINIO_NOTIFY_WEBHOOK_ENABLE_PRIMARY: "on",
      MINIO_NOTIFY_WEBHOOK_ENDPOINT_PRIMARY: "http://primary",
      MINIO_NOTIFY_WEBHOOK_ENDPOINT_primary: "http://lower-case-is-another-target",
      MINIO_NOTIFY_POSTGRES_ENABLE_db: "",
      MINIO_NOTIFY_AMQP_PUBLISHING_CONFIRMS: "on",
      MINIO_NOTIFY_AMQP_IMMEDIATE: "on",
      MINIO_NOTIFY_NOTREGISTERED_ENABLE: "on",
    };
    expect(readEnvConfig(env, registry)).toEqual([
      { type: "webhook", id: "PRIMARY", values: { endpoint: "http://primary", enable: "on" } },
      { type: "webhook", id: "_", values: { endpoint: "http://default", enable: "on" } },
      { type: "postgres", id: "db", values: {} },
    ]);
  });
});

describe("loadNotifyConfig", () => {
  const byId = (config: NotifyConfig, type: string, id: string) => config.targets.find((target) => target.type === type && target.id === id);

  it("applies env > KV > JSON > default per key", () => {
    const config = loadNotifyConfig({
      registry,
      json: { notify: { webhook: { "1": { enable: true, endpoint: "http://json", authToken: "json-token", clientCert: "/json/cert", queueLimit: 5 } } } },
      kv: "notify_webhook:1 endpoint=http://kv auth_token=kv-token",
      env: { MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_1: "  env-token ", MINIO_NOTIFY_WEBHOOK_ENDPOINT_1: "", MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_1: "   " },
    });
    expect(byId(config, "webhook", "1")).toEqual({
      type: "webhook",
      id: "1",
      enabled: true,
      values: {
        endpoint: "http://kv",
        auth_token: "env-token",
        client_cert: "/json/cert",
        client_key: "",
        enable: "on",
        queue_dir: "",
        queue_limit: "5",
        comment: "",
      },
    });
  });

  it("enables a stored target without enable, and lets env or KV turn it off", () => {
    const config = loadNotifyConfig({
      registry,
      kv: "notify_webhook:a endpoint=http://a\nnotify_webhook:b endpoint=http://b\nnotify_webhook:c endpoint=http://c enable=off",
      env: { MINIO_NOTIFY_WEBHOOK_ENABLE_b: "Disabled" },
    });
    expect(config.targets.map((target) => [target.id, target.enabled, target.values.enable])).toEqual([
      ["a", true, "on"],
      ["b", false, "Disabled"],
      ["c", false, "off"],
    ]);
  });

  it("creates env-only targets from the defaults: off unless the env says on", () => {
    const config = loadNotifyConfig({
      registry,
      env: { MINIO_NOTIFY_WEBHOOK_ENABLE_X: "", MINIO_NOTIFY_WEBHOOK_ENABLE_PRIMARY: "true", MINIO_NOTIFY_WEBHOOK_ENDPOINT_PRIMARY: "http://p" },
    });
    expect(byId(config, "webhook", "X")?.enabled).toBe(false);
    expect(byId(config, "webhook", "PRIMARY")).toMatchObject({ enabled: true, values: { endpoint: "http://p", queue_limit: "0", enable: "true" } });
  });

  it("refuses a MinIO target type enabled in the environment when no plugin serves it", () => {
    const error = caught<NotifyConfigError>(() =>
      loadNotifyConfig({ registry, env: { MINIO_NOTIFY_NSQ_ENABLE_q: "on", MINIO_NOTIFY_REDIS_ENABLE: "off", MINIO_NOTIFY_MQTT_ENABLE: "" } }),
    );
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]?.message).toBe(
      "notify_nsq:q: enable: MINIO_NOTIFY_NSQ_ENABLE_q is on but no target plugin for 'nsq' is registered: add @s3notify/target-nsq to the host's dependencies",
    );
    expect(() => parseKvConfig("notify_redis address=h:6379", registry)).toThrow(/add @s3notify\/target-redis/);
    expect(() => parseJsonConfig({ notify: { redis: { "1": {} } } }, registry)).toThrow(/add @s3notify\/target-redis/);
  });

  it("takes env-only keys from the environment only", () => {
    const config = loadNotifyConfig({ registry, kv: "notify_amqp url=amqp://h", env: { MINIO_NOTIFY_AMQP_IMMEDIATE: "on" } });
    expect(byId(config, "amqp", "_")?.values.immediate).toBe("on");
  });

  it("returns nothing when nothing is configured, and fails on a bad enable naming the target", () => {
    expect(loadNotifyConfig({ registry }).targets).toEqual([]);
    const error = caught<NotifyConfigError>(() => loadNotifyConfig({ registry, env: { MINIO_NOTIFY_WEBHOOK_ENABLE_z: "yes" } }));
    expect(error.code).toBe("S3NOTIFY_ERR_CONFIG");
    expect(error.errors.map((item) => [item.subsystem, item.targetId, item.key])).toEqual([["notify_webhook", "z", "enable"]]);
    expect(error.message).toContain("notify_webhook:z: enable: ParseBool: parsing 'yes': invalid syntax");
  });
});

describe("validateNotifyConfig", () => {
  it("parses enabled targets with queue settings, skipping disabled ones", () => {
    const config = loadNotifyConfig({
      registry,
      kv: "notify_webhook:1 endpoint=http://x queue_dir=/var/q queue_limit=50\nnotify_webhook:2 endpoint=https://y\nnotify_webhook:3 enable=off",
    });
    const validated = validateNotifyConfig(config, registry);
    expect(validated.map((target) => [target.settings.id, target.queueDir, target.queueLimit, target.config])).toEqual([
      ["1", "/var/q", 50, { endpoint: "http://x", authToken: "" }],
      ["2", "", 100000, { endpoint: "https://y", authToken: "" }],
    ]);
    expect(validated[0]?.plugin).toBe(webhookLike);
  });

  it("collects every error of every target into one ConfigError", () => {
    const config = loadNotifyConfig({
      registry,
      kv: [
        "notify_webhook:1 queue_dir=relative/q queue_limit=-1 auth_token=never-shown",
        "notify_webhook:2 endpoint=ftp://x",
        "notify_webhook:3 endpoint=http://ok client_cert=/c",
        "notify_postgres:pg format=namespace table=",
      ].join("\n"),
    });
    const error = caught<NotifyConfigError>(() => validateNotifyConfig(config, registry));
    expect(error.code).toBe("S3NOTIFY_ERR_CONFIG");
    expect(error.errors.map((item) => `${item.subsystem}:${item.targetId} ${item.key}`)).toEqual([
      "notify_webhook:1 queue_dir",
      "notify_webhook:1 queue_limit",
      "notify_webhook:1 endpoint",
      "notify_webhook:2 endpoint",
      "notify_webhook:3 client_cert",
      "notify_postgres:pg connection_string",
      "notify_postgres:pg table",
    ]);
    expect(error.message).toContain("notify_webhook:1: queue_dir: queueDir path should be absolute");
    expect(error.message).toContain(
      "notify_webhook:1: endpoint: 'endpoint' is not optional for 'notify_webhook' sub-system, please check 'notify_webhook' documentation",
    );
    expect(error.message).toContain("notify_webhook:2: endpoint: unexpected scheme found ftp");
    expect(error.message).toContain("notify_postgres:pg: table: 'table' is not optional for 'notify_postgres' sub-system");
    expect(error.message).not.toContain("never-shown");
  });

  it("wraps a plugin's plain Error as a ConfigError without leaking embedded passwords", () => {
    const local = testRegistry();
    const config: NotifyConfig = { targets: [{ type: "webhook", id: "_", enabled: true, values: { endpoint: "http://x" } }] };
    expect(validateNotifyConfig(config, local)).toHaveLength(1);
    const throwing = defineTargetPlugin({
      type: "throwing",
      keys: [{ name: "url", default: "", help: "url" }],
      parseConfig: (raw) => {
        throw new Error(`cannot parse ${raw.url}`);
      },
      create: () => {
        throw new Error("unused");
      },
    });
    local.register(throwing);
    const bad: NotifyConfig = { targets: [{ type: "throwing", id: "t", enabled: true, values: { url: "amqp://u:leaked@h" } }] };
    const error = caught<NotifyConfigError>(() => validateNotifyConfig(bad, local));
    expect(error.errors[0]?.message).toBe("notify_throwing:t: cannot parse amqp://u:*redacted*@h");
    expect(error.errors[0]?.cause).toBeInstanceOf(Error);
    expect(error.message).not.toContain("leaked");
    const unknown: NotifyConfig = { targets: [{ type: "nope", id: "_", enabled: true, values: {} }] };
    expect(() => validateNotifyConfig(unknown, local)).toThrow(/no target plugin for 'nope' is registered/);
  });
});

describe("dumps", () => {
  const secretConfig = () =>
    loadNotifyConfig({
      registry,
      kv: [
        "notify_webhook:1 endpoint=http://admin:webhookpass@hook.local/path auth_token=tokensecret",
        'notify_postgres:pg connection_string="host=db port=5432 user=minio password=pgsecret sslmode=disable" table=events',
        "notify_amqp url=amqp://guest:amqpsecret@rabbit:5672/ password=plainsecret",
        "notify_kafka brokers=k:9092 sasl_password=kafkasecret",
      ].join("\n"),
      env: { MINIO_NOTIFY_WEBHOOK_CLIENT_KEY_1: "/keys/client.pem" },
    });

  it("redacts secret keys and embedded passwords in the KV dump", () => {
    const dump = dumpConfigKv(secretConfig(), registry);
    for (const secret of ["webhookpass", "tokensecret", "pgsecret", "amqpsecret", "plainsecret", "kafkasecret"]) expect(dump).not.toContain(secret);
    expect(dump).toContain(
      "notify_webhook:1 endpoint=http://admin:*redacted*@hook.local/path auth_token=*redacted* client_cert= client_key=/keys/client.pem enable=on",
    );
    expect(dump).toContain('connection_string="host=db port=5432 user=minio password=*redacted* sslmode=disable"');
    expect(dump).toContain("notify_amqp url=amqp://guest:*redacted*@rabbit:5672/ ");
    expect(dump).not.toContain("immediate=");
  });

  it("redacts the JSON dump the same way and keeps the legacy shape", () => {
    const dump = dumpConfigJson(secretConfig(), registry);
    for (const secret of ["webhookpass", "tokensecret", "pgsecret", "amqpsecret", "plainsecret", "kafkasecret"]) expect(dump).not.toContain(secret);
    const parsed = JSON.parse(dump) as { notify: Record<string, Record<string, Record<string, unknown>>> };
    expect(parsed.notify.postgresql?.pg?.connectionString).toBe("host=db port=5432 user=minio password=*redacted* sslmode=disable");
    expect(parsed.notify.webhook?.["1"]).toMatchObject({ enable: true, authToken: "*redacted*", queueLimit: 0 });
    expect(parsed.notify.kafka?._).toMatchObject({ tls: { enable: false }, sasl: { password: "*redacted*" } });
    expect(parsed.notify.amqp?._).toMatchObject({ durable: false, deliveryMode: 0 });
  });

  it("round-trips a secret-free configuration through both dumps", () => {
    const config = loadNotifyConfig({
      registry,
      kv: 'notify_webhook:1 endpoint=http://x comment="two words" queue_dir=/q\nnotify_postgres table=t format=access',
    });
    expect(loadNotifyConfig({ registry, kv: dumpConfigKv(config, registry) })).toEqual(config);
    expect(loadNotifyConfig({ registry, json: dumpConfigJson(config, registry) })).toEqual(config);
  });

  it("redacts MySQL DSNs and URL lists", () => {
    expect(redactEmbeddedSecrets("root:my@secret@tcp(db:3306)/events")).toBe("root:*redacted*@tcp(db:3306)/events");
    expect(redactEmbeddedSecrets("user:pw@/db")).toBe("user:*redacted*@/db");
    expect(redactEmbeddedSecrets("http://a:one@h1,http://b:two@h2")).toBe("http://a:*redacted*@h1,http://b:*redacted*@h2");
    expect(redactEmbeddedSecrets("postgres://u:p@host/db?password=x")).toBe("postgres://u:*redacted*@host/db?password=*redacted*");
    expect(redactEmbeddedSecrets("host:9092")).toBe("host:9092");
    expect(redactEmbeddedSecrets("http://host:9200/")).toBe("http://host:9200/");
  });
});
