import type { Target, TargetPlugin } from "../types.js";
import { defineTargetPlugin } from "./define-target-plugin.js";

/** A small webhook-like plugin for core's own tests. */
export function fakePlugin(type: string, options: { arnType?: string; apiVersion?: number } = {}): TargetPlugin {
  return defineTargetPlugin({
    type,
    ...(options.arnType ? { arnType: options.arnType } : {}),
    ...(options.apiVersion !== undefined ? { apiVersion: options.apiVersion } : {}),
    keys: [{ name: "endpoint", default: "", required: true, help: "URL" }],
    parseConfig: (raw) => ({ endpoint: raw.endpoint }),
    create: (_config, context): Target => ({
      id: context.targetId,
      capabilities: { maxBatchSize: 1, ordered: true },
      open: async () => {},
      send: async () => {},
      isActive: async () => true,
      close: async () => {},
    }),
  }) as TargetPlugin;
}
