import { defineTargetPlugin } from "@s3notify/core";
import { ELASTICSEARCH_KEYS, parseElasticsearchConfig } from "./elasticsearch-config.js";
import { ElasticsearchTarget } from "./elasticsearch-target.js";
import type { ElasticsearchTargetConfig } from "./types.js";

/** The `elasticsearch` target plugin: MinIO's `notify_elasticsearch`. */
const elasticsearchTarget = defineTargetPlugin<ElasticsearchTargetConfig>({
  type: "elasticsearch",
  keys: ELASTICSEARCH_KEYS,
  parseConfig: parseElasticsearchConfig,
  create: (config, context) => new ElasticsearchTarget(config, context),
});

export default elasticsearchTarget;
export { namespaceDocumentId } from "./document-id.js";
export { ELASTICSEARCH_KEYS, parseElasticsearchConfig } from "./elasticsearch-config.js";
export type { ElasticsearchTargetOptions } from "./elasticsearch-target.js";
export { bulkLines, ElasticsearchTarget } from "./elasticsearch-target.js";
export { highwayHash64, highwayHash256 } from "./highway-hash.js";
export type { CompatShape, ElasticsearchFormat, ElasticsearchTargetConfig } from "./types.js";
export { elasticsearchTarget };
