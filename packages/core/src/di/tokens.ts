/** Tokens of core's tsyringe container. `Symbol.for`, so that two copies of a module agree. */
export const CORE_TOKENS = Object.freeze({
  /** The notifier's `TargetRegistry`. */
  TargetRegistry: Symbol.for("s3notify.core.TargetRegistry"),
  /** The host's `Logger` (a silent one when the host gives none). */
  Logger: Symbol.for("s3notify.core.Logger"),
  /** The container itself, for services that register plugins. */
  Container: Symbol.for("s3notify.core.Container"),
  /** The `TargetPluginInstaller`. */
  TargetPluginInstaller: Symbol.for("s3notify.core.TargetPluginInstaller"),
});

/** The token a target plugin of `type` is registered under: `Symbol.for("s3notify.target.<type>")`. */
export function targetPluginToken(type: string): symbol {
  return Symbol.for(`s3notify.target.${type}`);
}
