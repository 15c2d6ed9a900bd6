import { type DependencyContainer, inject, injectable } from "tsyringe";
import { discoverTargetPlugins } from "../plugin/discover-target-plugins.js";
import type { Logger, RegisteredPlugin, TargetPlugin, TargetRegistry } from "../types.js";
import { CORE_TOKENS, targetPluginToken } from "./tokens.js";

export interface InstallTargetPluginsOptions {
  /** Plugins registered explicitly (bundled apps, tests): the first door. */
  readonly plugins?: readonly TargetPlugin[];
  /** Folder holding the host's package.json whose dependencies are searched: the second door. */
  readonly discoverFrom?: string;
}

/**
 * Puts target plugins into one notifier's registry and container. Explicit plugins and
 * discovered ones go through the same `register` call, so a type claimed twice is refused
 * with both sources named.
 */
@injectable()
export class TargetPluginInstaller {
  constructor(
    @inject(CORE_TOKENS.TargetRegistry) private readonly registry: TargetRegistry,
    @inject(CORE_TOKENS.Logger) private readonly logger: Logger,
    @inject(CORE_TOKENS.Container) private readonly container: DependencyContainer,
  ) {}

  /** Register one plugin in the registry and under `Symbol.for("s3notify.target.<type>")`. */
  register(plugin: TargetPlugin, source = "explicit"): void {
    this.registry.register(plugin, source);
    this.container.register(targetPluginToken(plugin.type), { useValue: plugin });
    this.logger.debug("target plugin registered", { type: plugin.type, arnType: plugin.arnType, source });
  }

  async install(options: InstallTargetPluginsOptions): Promise<readonly RegisteredPlugin[]> {
    for (const plugin of options.plugins ?? []) this.register(plugin);
    if (options.discoverFrom !== undefined) {
      for (const { plugin, source } of await discoverTargetPlugins(options.discoverFrom)) {
        // The same plugin object given explicitly and found as a dependency is one plugin.
        if (this.registry.get(plugin.type)?.plugin === plugin) continue;
        this.register(plugin, source);
      }
    }
    return this.registry.list();
  }
}
