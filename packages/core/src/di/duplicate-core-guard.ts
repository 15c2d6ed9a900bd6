import { S3NotifyError } from "../errors/s3notify-error.js";

/** The global slot a loaded core claims: `Symbol.for("s3notify.core.instance")`. */
export const CORE_INSTANCE_KEY: unique symbol = Symbol.for("s3notify.core.instance") as never;

export interface CoreInstance {
  readonly version: string;
  /** File URL of the core module that claimed the slot. */
  readonly url: string;
}

/**
 * Claim the process-wide core slot. A second, different copy of core (another folder,
 * another version) refuses to load, naming both locations: two cores would keep two
 * registries and two brands of errors, and events would silently go nowhere.
 * Re-importing the same file is harmless.
 */
export function claimCoreInstance(instance: CoreInstance, globalObject: object = globalThis): CoreInstance {
  const slot = globalObject as Record<symbol, CoreInstance | undefined>;
  const existing = slot[CORE_INSTANCE_KEY];
  if (existing !== undefined) {
    if (existing.url === instance.url && existing.version === instance.version) return existing;
    throw new S3NotifyError(
      "S3NOTIFY_ERR_DUPLICATE_CORE",
      `@s3notify/core: a second copy is being loaded. Already loaded: ${existing.version} from ${existing.url}; ` +
        `refused: ${instance.version} from ${instance.url}. Keep one @s3notify/core in the host ` +
        "(targets list it as a peerDependency; check `pnpm why @s3notify/core` or `npm ls @s3notify/core`).",
    );
  }
  const claimed = Object.freeze({ version: instance.version, url: instance.url });
  Object.defineProperty(globalObject, CORE_INSTANCE_KEY, { value: claimed, writable: false, configurable: true, enumerable: false });
  return claimed;
}
