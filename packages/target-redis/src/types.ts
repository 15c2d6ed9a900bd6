/** What MinIO writes: `namespace` keeps one hash field per object, `access` appends to a list. */
export type RedisFormat = "namespace" | "access";

/** `current`: today's MinIO values (default). `legacy`: the shapes of the older MinIO docs. */
export type CompatShape = "current" | "legacy";

/** Parsed settings of one Redis target. */
export interface RedisTargetConfig {
  readonly format: RedisFormat;
  readonly host: string;
  readonly port: number;
  /** The hash (namespace) or list (access) key. */
  readonly key: string;
  /** "" when unset. */
  readonly password: string;
  /** ACL user; used only together with a password, as MinIO does. */
  readonly user: string;
  readonly compatShape: CompatShape;
  /** Extension (MinIO has no TLS for Redis): connect with TLS. */
  readonly tls: boolean;
}
