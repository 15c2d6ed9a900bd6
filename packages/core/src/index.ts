import "reflect-metadata";

export type {
  Arn,
  ConfigKeySpec,
  EventInput,
  EventName,
  EventRecord,
  FilterRule,
  LogEnvelope,
  Logger,
  NotificationConfiguration,
  Notifier,
  NotifierOptions,
  NotifyConfig,
  ParseContext,
  PublishResult,
  QueueConfiguration,
  RawTargetConfig,
  RetryPolicy,
  RuleEventName,
  RulesValidationContext,
  Target,
  TargetCapabilities,
  TargetContext,
  TargetId,
  TargetPackageManifest,
  TargetPlugin,
  TargetPluginDefinition,
  TargetSettings,
  TargetStats,
  RegisteredPlugin,
  TargetRegistry,
  WildcardEventName,
} from "./types.js";
export { TARGET_PLUGIN_BRAND } from "./types.js";
export { S3NotifyError } from "./errors/s3notify-error.js";
export { ConfigError } from "./errors/config-error.js";
export { S3Error } from "./errors/s3-error.js";
export { TargetBatchError, TargetError, isRetryable, permanentError, retryableError } from "./errors/target-error.js";
export { goJson, sortedMap } from "./event/go-json.js";
export { queryEscape, queryUnescape } from "./event/object-key.js";
export { logEnvelopeJson, objectPath, recordsJson, toLogEnvelope } from "./event/envelope.js";
export { SUPPORTED_TARGET_API_VERSIONS, TARGET_API_VERSION, defineTargetPlugin, isTargetPlugin } from "./plugin/define-target-plugin.js";
