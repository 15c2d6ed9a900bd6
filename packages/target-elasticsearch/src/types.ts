/** What MinIO writes: `namespace` keeps one document per object, `access` appends a document per event. */
export type ElasticsearchFormat = "namespace" | "access";

/** `current`: hashed namespace document ids of today's MinIO (default). `legacy`: the literal `bucket/object` ids of the older docs. */
export type CompatShape = "current" | "legacy";

/** Parsed settings of one Elasticsearch target. */
export interface ElasticsearchTargetConfig {
  /** The node URL without any `user:pass@` part. */
  readonly url: string;
  readonly format: ElasticsearchFormat;
  readonly index: string;
  /** From the `username`/`password` keys, else from the URL's user info; "" when none. */
  readonly username: string;
  readonly password: string;
  readonly compatShape: CompatShape;
}
