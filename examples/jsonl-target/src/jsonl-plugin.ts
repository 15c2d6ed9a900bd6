import { defineTargetPlugin } from "@s3notify/core";
import { JSONL_KEYS, parseJsonlConfig } from "./jsonl-config.js";
import { JsonlTarget } from "./jsonl-target.js";
import type { JsonlConfig } from "./types.js";

/** The `jsonl` target plugin: `notify_jsonl`, `MINIO_NOTIFY_JSONL_*`, `arn:minio:sqs::<ID>:jsonl`. */
export const jsonlTargetPlugin = defineTargetPlugin<JsonlConfig>({
  type: "jsonl",
  keys: JSONL_KEYS,
  parseConfig: parseJsonlConfig,
  create: (config, context) => new JsonlTarget(config, context),
});
