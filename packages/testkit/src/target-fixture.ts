import { type Logger, silentLogger, type Target, type TargetPlugin } from "@s3notify/core";
import { fullTargetValues } from "./run-target-conformance.js";

export interface TargetFixtureCreateOptions {
  /** The logger handed to the target; core's `silentLogger` when left out. */
  readonly logger?: Logger;
}

export interface TargetFixture<Config> {
  /** Raw KV values as core hands them to parseConfig: every key at its default, overridden by `values`. */
  rawConfig(values: Record<string, string>): Record<string, string>;
  /** `plugin.parseConfig` on `rawConfig(values)`, with subsystem `notify_<type>`. */
  parse(values: Record<string, string>, targetId?: string): Config;
  /** `plugin.create` on `parse(values, targetId)`, with target id `{ id: targetId, type: plugin.arnType }`. */
  create<T extends Target = Target>(values: Record<string, string>, targetId?: string, options?: TargetFixtureCreateOptions): T;
}

/** KV values to config to target, the way core does it, for a plugin's own tests. */
export function targetFixture<Config>(plugin: TargetPlugin<Config>): TargetFixture<Config> {
  const rawConfig = (values: Record<string, string>): Record<string, string> => fullTargetValues(plugin as TargetPlugin, values);
  const parse = (values: Record<string, string>, targetId = "1"): Config =>
    plugin.parseConfig(rawConfig(values), { targetId, subsystem: `notify_${plugin.type}` });
  return {
    rawConfig,
    parse,
    create<T extends Target = Target>(values: Record<string, string>, targetId = "1", options: TargetFixtureCreateOptions = {}): T {
      const config = parse(values, targetId);
      return plugin.create(config, { targetId: { id: targetId, type: plugin.arnType }, logger: options.logger ?? silentLogger }) as T;
    },
  };
}

export interface EventuallyOptions {
  /** How long to keep polling; 20 s by default. */
  readonly timeoutMs?: number;
  /** The pause between polls; 50 ms by default. */
  readonly intervalMs?: number;
}

/** Poll `check` until it returns true (a thrown error counts as false); throws once `timeoutMs` has passed. */
export async function eventually(check: () => boolean | Promise<boolean>, { timeoutMs = 20_000, intervalMs = 50 }: EventuallyOptions = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let met = false;
    try {
      met = await check();
    } catch {
      met = false;
    }
    if (met) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
