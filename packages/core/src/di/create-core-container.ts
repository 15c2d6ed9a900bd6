import { type DependencyContainer, container as rootContainer } from "tsyringe";
import { createTargetRegistry } from "../plugin/target-registry.js";
import type { Logger, TargetPlugin, TargetRegistry } from "../types.js";
import { silentLogger } from "./silent-logger.js";
import { type InstallTargetPluginsOptions, TargetPluginInstaller } from "./target-plugin-installer.js";
import { CORE_TOKENS, targetPluginToken } from "./tokens.js";

export type { DependencyContainer } from "tsyringe";

export interface CoreContainerOptions {
  readonly logger?: Logger;
  /** A registry to share; a fresh one by default. */
  readonly registry?: TargetRegistry;
}

/**
 * A fresh child container for one notifier. Nothing is ever registered in tsyringe's
 * global container, so two notifiers (or two tests) never see each other's plugins.
 */
export function createCoreContainer(options: CoreContainerOptions = {}): DependencyContainer {
  const container = rootContainer.createChildContainer();
  container.register(CORE_TOKENS.Container, { useValue: container });
  container.register(CORE_TOKENS.TargetRegistry, { useValue: options.registry ?? createTargetRegistry() });
  container.register(CORE_TOKENS.Logger, { useValue: options.logger ?? silentLogger });
  container.register(CORE_TOKENS.TargetPluginInstaller, { useClass: TargetPluginInstaller });
  return container;
}

/** The container's registry. */
export function resolveTargetRegistry(container: DependencyContainer): TargetRegistry {
  return container.resolve<TargetRegistry>(CORE_TOKENS.TargetRegistry);
}

/** The container's logger. */
export function resolveLogger(container: DependencyContainer): Logger {
  return container.resolve<Logger>(CORE_TOKENS.Logger);
}

/** Register one plugin in the container's registry and under its own token. */
export function registerTargetPlugin(container: DependencyContainer, plugin: TargetPlugin, source?: string): void {
  container.resolve<TargetPluginInstaller>(CORE_TOKENS.TargetPluginInstaller).register(plugin, source);
}

/** Explicit plugins first, then the host's discovered dependencies; returns everything registered. */
export function installTargetPlugins(container: DependencyContainer, options: InstallTargetPluginsOptions) {
  return container.resolve<TargetPluginInstaller>(CORE_TOKENS.TargetPluginInstaller).install(options);
}

/** The plugin registered for `type`, resolved by its token; undefined when none is. */
export function resolveTargetPlugin(container: DependencyContainer, type: string): TargetPlugin | undefined {
  const token = targetPluginToken(type);
  return container.isRegistered(token, true) ? container.resolve<TargetPlugin>(token) : undefined;
}
