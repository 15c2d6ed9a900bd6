import type { ConfigKeySpec } from "@s3notify/core";

/** MinIO's notify_nsq keys (facts §5.7). */
export const NSQ_KEYS: readonly ConfigKeySpec[] = [
  { name: "nsqd_address", jsonName: "nsqdAddress", default: "", required: true, help: "nsqd address, e.g. '127.0.0.1:4150'" },
  { name: "topic", default: "", required: true, help: "NSQ topic" },
  { name: "tls", jsonName: "tls.enable", default: "off", help: "set to 'on' to upgrade the connection to TLS" },
  { name: "tls_skip_verify", jsonName: "tls.skipVerify", default: "off", help: "set to 'on' to trust any nsqd certificate" },
];
