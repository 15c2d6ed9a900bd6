import "reflect-metadata";

export type {
  Arn,
  ConfigKeyKind,
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
  StoredTargetSettings,
  TargetSettings,
  TargetStats,
  ValidatedTarget,
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
export {
  EVENT_NAMES,
  WILDCARD_EVENT_NAMES,
  eventNameBit,
  eventNameMask,
  expandEventName,
  isEventName,
  isRemovalEvent,
  isWildcardEventName,
  maskHasEventName,
  parseEventName,
} from "./event/event-names.js";
export { MC_EVENT_SHORTHANDS, parseMcEventList } from "./event/mc-event-shorthands.js";
export { buildEventRecord, formatEventTime, requestIdFor, sequencerFor } from "./event/build-record.js";
export type { BuildRecordOptions } from "./event/build-record.js";
export { formatArn, parseArn, parseTargetIdString, targetIdString } from "./rules/arn.js";
export { matchSimple, newPattern, validateFilterValue } from "./rules/pattern.js";
export { parseNotificationXml } from "./rules/notification-xml.js";
export { parseNotificationJson } from "./rules/notification-json.js";
export { S3_XML_NAMESPACE, notificationToXml, queueConfigurationToXml } from "./rules/notification-to-xml.js";
export { validateNotification } from "./rules/validate-notification.js";
export { visibleNotification } from "./rules/visible-notification.js";
export { RulesIndex, queuePattern } from "./rules/rules-index.js";
export { PatternIndex } from "./rules/pattern-index.js";
export {
  NOTIFICATION_ERROR_MESSAGES,
  arnNotFoundError,
  duplicateEventNameError,
  duplicatePrefixError,
  duplicateQueueConfigurationError,
  duplicateSuffixError,
  invalidArnError,
  invalidEventNameError,
  invalidFilterNameError,
  invalidFilterValueError,
  malformedXmlError,
  missingContentLengthError,
  unknownRegionError,
  unsupportedNotificationError,
  xmlSyntaxError,
} from "./s3/notification-errors.js";
export { SUPPORTED_TARGET_API_VERSIONS, TARGET_API_VERSION, defineTargetPlugin, isTargetPlugin } from "./plugin/define-target-plugin.js";
export { PluginError } from "./plugin/plugin-error.js";
export type { PluginErrorCode } from "./plugin/plugin-error.js";
export { assertUsablePlugin, createTargetRegistry } from "./plugin/target-registry.js";
export { discoverTargetPlugins } from "./plugin/discover-target-plugins.js";
export type { DiscoveredTargetPlugin } from "./plugin/discover-target-plugins.js";
export { CORE_TOKENS, targetPluginToken } from "./di/tokens.js";
export { silentLogger } from "./di/silent-logger.js";
export { TargetPluginInstaller } from "./di/target-plugin-installer.js";
export type { InstallTargetPluginsOptions } from "./di/target-plugin-installer.js";
export {
  createCoreContainer,
  installTargetPlugins,
  registerTargetPlugin,
  resolveLogger,
  resolveTargetPlugin,
  resolveTargetRegistry,
} from "./di/create-core-container.js";
export type { CoreContainerOptions, DependencyContainer } from "./di/create-core-container.js";
export { CORE_INSTANCE_KEY, claimCoreInstance } from "./di/duplicate-core-guard.js";
export type { CoreInstance } from "./di/duplicate-core-guard.js";
export { currentCoreInstance } from "./di/core-version.js";

export { COMMON_KEYS, allKeysFor, keyKindOf, storableKeysFor, subsystemFor } from "./config/common-keys.js";
export { envNameFor, envTypeFor } from "./config/env-name.js";
export { parseKvConfig } from "./config/parse-kv-config.js";
export type { ParseKvConfigOptions } from "./config/parse-kv-config.js";
export { jsonNameFor, parseJsonConfig } from "./config/parse-json-config.js";
export { envTargetIds, envValue, envValuesFor, readEnvConfig } from "./config/read-env-config.js";
export type { Environment } from "./config/read-env-config.js";
export { loadNotifyConfig } from "./config/load-notify-config.js";
export type { LoadNotifyConfigOptions } from "./config/load-notify-config.js";
export { DEFAULT_QUEUE_LIMIT, validateNotifyConfig } from "./config/validate-notify-config.js";
export { NotifyConfigError, isConfigError } from "./config/notify-config-error.js";
export { dumpConfigJson, dumpConfigKv } from "./config/dump-config.js";
export { MINIO_TARGET_TYPES, missingPluginHint } from "./config/minio-target-types.js";
export { REDACTED, redactEmbeddedSecrets, redactValue } from "./config/redact.js";
export {
  formatGoDuration,
  isOn,
  parseGoDuration,
  parseGoDurationNanoseconds,
  parseMinioBool,
  parseSignedInt,
  parseUnsignedInt,
} from "./config/values.js";
export type { ConfigErrorLocation } from "./errors/config-error.js";

export type {
  EventLog,
  LogAppend,
  LogAppendResult,
  LogConsumer,
  LogConsumerOptions,
  LogEntry,
  LogPosition,
} from "./store/event-log.js";
export { FileEventLog } from "./store/file-event-log.js";
export type { FileEventLogOptions, FileEventLogStats } from "./store/file-event-log.js";
export { MemoryEventLog } from "./store/memory-event-log.js";
export type { MemoryDeadLetter, MemoryEventLogOptions } from "./store/memory-event-log.js";
export { StoreFullError } from "./store/store-full-error.js";
export { readDeadLetters } from "./store/dead-letters.js";
export type { DeadLetter } from "./store/dead-letters.js";
export { DEFAULT_RETRY_POLICY, backoffDelay } from "./dispatch/retry-policy.js";
export { TargetRunner } from "./dispatch/target-runner.js";
export type { RunnerCloseResult, TargetRunnerOptions } from "./dispatch/target-runner.js";
export { createNotifier } from "./dispatch/create-notifier.js";
export type { NotifierInternals } from "./dispatch/create-notifier.js";

// Refuse to run beside a second copy of core (see docs/errors.md, S3NOTIFY_ERR_DUPLICATE_CORE).
import { claimCoreInstance as claimCoreInstanceAtLoad } from "./di/duplicate-core-guard.js";
import { currentCoreInstance as currentCoreInstanceAtLoad } from "./di/core-version.js";
claimCoreInstanceAtLoad(currentCoreInstanceAtLoad());
