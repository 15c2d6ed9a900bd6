import { jsonlTargetPlugin } from "./jsonl-plugin.js";

export { JSONL_KEYS, parseJsonlConfig } from "./jsonl-config.js";
export { JSONL_MAX_BATCH, JsonlTarget } from "./jsonl-target.js";
export type { JsonlConfig } from "./types.js";
export { jsonlTargetPlugin };
export default jsonlTargetPlugin;
