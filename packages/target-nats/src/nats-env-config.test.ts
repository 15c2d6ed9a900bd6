import { createTargetRegistry, loadNotifyConfig } from "@s3notify/core";
import { describe, expect, it } from "vitest";
import natsTarget from "./index.js";

describe("nats keys through core's MINIO_NOTIFY_NATS_* environment loader", () => {
  it("takes the env-only keys from the environment", () => {
    const registry = createTargetRegistry();
    registry.register(natsTarget);
    const config = loadNotifyConfig({
      registry,
      env: {
        MINIO_NOTIFY_NATS_ENABLE_1: "on",
        MINIO_NOTIFY_NATS_ADDRESS_1: "127.0.0.1:4222",
        MINIO_NOTIFY_NATS_SUBJECT_1: "minio.events",
        MINIO_NOTIFY_NATS_USER_CREDENTIALS_1: "/etc/nats/minio.creds",
        MINIO_NOTIFY_NATS_NKEY_SEED_1: "/etc/nats/minio.nk",
        MINIO_NOTIFY_NATS_TLS_HANDSHAKE_FIRST_1: "on",
        MINIO_NOTIFY_NATS_STREAMING_MAX_PUB_ACKS_IN_FLIGHT_1: "10",
      },
    });
    const target = config.targets.find((entry) => entry.type === "nats" && entry.id === "1");
    const parsed = natsTarget.parseConfig(target?.values ?? {}, { targetId: "1", subsystem: "notify_nats" });
    expect(parsed).toMatchObject({
      servers: ["127.0.0.1:4222"],
      userCredentials: "/etc/nats/minio.creds",
      nkeySeed: "/etc/nats/minio.nk",
      tlsHandshakeFirst: true,
      streamingMaxPubAcksInFlight: 10,
    });
  });

  it("never takes an env-only key from stored KV configuration", () => {
    const registry = createTargetRegistry();
    registry.register(natsTarget);
    const attempt = (): unknown => loadNotifyConfig({ registry, kv: "notify_nats:1 enable=on address=127.0.0.1:4222 subject=s user_credentials=/tmp/x.creds" });
    let values: Record<string, string> | undefined;
    try {
      values = { ...(attempt() as { targets: { values: Record<string, string> }[] }).targets[0]?.values };
    } catch {
      // Refusing the key outright is fine too.
      return;
    }
    expect(values.user_credentials ?? "").toBe("");
  });
});
