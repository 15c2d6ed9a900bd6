import "reflect-metadata";

export { allKeysFor, COMMON_KEYS, keyKindOf, storableKeysFor, subsystemFor } from "./config/common-keys.js";
export { dumpConfigJson, dumpConfigKv } from "./config/dump-config.js";
export { envNameFor, envTypeFor } from "./config/env-name.js";
export type { LoadNotifyConfigOptions } from "./config/load-notify-config.js";
export { loadNotifyConfig } from "./config/load-notify-config.js";
export { MINIO_TARGET_TYPES, missingPluginHint } from "./config/minio-target-types.js";
export { isConfigError, NotifyConfigError } from "./config/notify-config-error.js";
export { jsonNameFor, parseJsonConfig } from "./config/parse-json-config.js";
export type { ParseKvConfigOptions } from "./config/parse-kv-config.js";
export { parseKvConfig } from "./config/parse-kv-config.js";
export type { Environment } from "./config/read-env-config.js";
export { envTargetIds, envValue, envValuesFor, readEnvConfig } from "./config/read-env-config.js";
export { REDACTED, redactEmbeddedSecrets, redactValue } from "./config/redact.js";
export { DEFAULT_QUEUE_LIMIT, validateNotifyConfig } from "./config/validate-notify-config.js";
export {
  formatGoDuration,
  isOn,
  parseGoDuration,
  parseGoDurationNanoseconds,
  parseMinioBool,
  parseSignedInt,
  parseUnsignedInt,
} from "./config/values.js";
export { currentCoreInstance } from "./di/core-version.js";
export type { CoreContainerOptions, DependencyContainer } from "./di/create-core-container.js";
export {
  createCoreContainer,
  installTargetPlugins,
  registerTargetPlugin,
  resolveLogger,
  resolveTargetPlugin,
  resolveTargetRegistry,
} from "./di/create-core-container.js";
export type { CoreInstance } from "./di/duplicate-core-guard.js";
export { CORE_INSTANCE_KEY, claimCoreInstance } from "./di/duplicate-core-guard.js";
export { silentLogger } from "./di/silent-logger.js";
export type { InstallTargetPluginsOptions } from "./di/target-plugin-installer.js";
export { TargetPluginInstaller } from "./di/target-plugin-installer.js";
export { CORE_TOKENS, targetPluginToken } from "./di/tokens.js";
export type { NotifierInternals } from "./dispatch/create-notifier.js";
export { createNotifier } from "./dispatch/create-notifier.js";
export { backoffDelay, DEFAULT_RETRY_POLICY } from "./dispatch/retry-policy.js";
export type { RunnerCloseResult, TargetRunnerOptions } from "./dispatch/target-runner.js";
export { TargetRunner } from "./dispatch/target-runner.js";
export type { ConfigErrorLocation } from "./errors/config-error.js";
export { ConfigError } from "./errors/config-error.js";
export { S3Error } from "./errors/s3-error.js";
export { S3NotifyError } from "./errors/s3notify-error.js";
export { failedAfterPrefix, isRetryable, permanentError, retryableError, TargetBatchError, TargetError } from "./errors/target-error.js";
export type { BuildRecordOptions } from "./event/build-record.js";
export { buildEventRecord, formatEventTime, requestIdFor, sequencerFor } from "./event/build-record.js";
export { logEnvelopeJson, objectPath, recordsJson, toLogEnvelope } from "./event/envelope.js";
export {
  EVENT_NAMES,
  eventNameBit,
  eventNameMask,
  expandEventName,
  isEventName,
  isRemovalEvent,
  isWildcardEventName,
  maskHasEventName,
  parseEventName,
  WILDCARD_EVENT_NAMES,
} from "./event/event-names.js";
export { goJson, sortedMap } from "./event/go-json.js";
export { MC_EVENT_SHORTHANDS, parseMcEventList } from "./event/mc-event-shorthands.js";
export { queryEscape, queryUnescape } from "./event/object-key.js";
export { recordJson } from "./event/record-json.js";
export { defineTargetPlugin, isTargetPlugin, SUPPORTED_TARGET_API_VERSIONS, TARGET_API_VERSION } from "./plugin/define-target-plugin.js";
export type { DiscoveredTargetPlugin } from "./plugin/discover-target-plugins.js";
export { discoverTargetPlugins } from "./plugin/discover-target-plugins.js";
export type { PluginErrorCode } from "./plugin/plugin-error.js";
export { PluginError } from "./plugin/plugin-error.js";
export { assertUsablePlugin, createTargetRegistry } from "./plugin/target-registry.js";
export { formatArn, parseArn, parseTargetIdString, targetIdString } from "./rules/arn.js";
export { parseNotificationJson } from "./rules/notification-json.js";
export { notificationToXml, queueConfigurationToXml, S3_XML_NAMESPACE } from "./rules/notification-to-xml.js";
export { parseNotificationXml } from "./rules/notification-xml.js";
export { matchSimple, newPattern, validateFilterValue } from "./rules/pattern.js";
export { PatternIndex } from "./rules/pattern-index.js";
export { queuePattern, RulesIndex } from "./rules/rules-index.js";
export { validateNotification } from "./rules/validate-notification.js";
export { visibleNotification } from "./rules/visible-notification.js";
export {
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
  NOTIFICATION_ERROR_MESSAGES,
  unknownRegionError,
  unsupportedNotificationError,
  xmlSyntaxError,
} from "./s3/notification-errors.js";
export { crc32c } from "./store/crc32c.js";
export type { DeadLetter } from "./store/dead-letters.js";
export { readDeadLetters } from "./store/dead-letters.js";
export type {
  EventLog,
  LogAppend,
  LogAppendResult,
  LogConsumer,
  LogConsumerOptions,
  LogEntry,
  LogPosition,
} from "./store/event-log.js";
export type { FileEventLogOptions, FileEventLogStats } from "./store/file-event-log.js";
export { FileEventLog } from "./store/file-event-log.js";
export type { MinioQueueImport, MinioQueueImportOptions } from "./store/import-minio-queue.js";
export { importMinioQueue } from "./store/import-minio-queue.js";
export type { MemoryDeadLetter, MemoryEventLogOptions } from "./store/memory-event-log.js";
export { MemoryEventLog } from "./store/memory-event-log.js";
export { StoreFullError } from "./store/store-full-error.js";
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
  RegisteredPlugin,
  RetryPolicy,
  RuleEventName,
  RulesValidationContext,
  StoredTargetSettings,
  Target,
  TargetCapabilities,
  TargetContext,
  TargetId,
  TargetPackageManifest,
  TargetPlugin,
  TargetPluginDefinition,
  TargetRegistry,
  TargetSettings,
  TargetStats,
  ValidatedTarget,
  WildcardEventName,
} from "./types.js";
export { TARGET_PLUGIN_BRAND } from "./types.js";

import { currentCoreInstance as currentCoreInstanceAtLoad } from "./di/core-version.js";
// Refuse to run beside a second copy of core (see docs/errors.md, S3NOTIFY_ERR_DUPLICATE_CORE).
import { claimCoreInstance as claimCoreInstanceAtLoad } from "./di/duplicate-core-guard.js";

claimCoreInstanceAtLoad(currentCoreInstanceAtLoad());

export { SecretValue } from "./config/secret-value.js";
export type { OperationRun, RowOperation } from "./target-support/row-batch-plan.js";
export { chunk, DELETE_EVENT_NAME, planOperation, toRuns } from "./target-support/row-batch-plan.js";
export type { RowBatchWriter } from "./target-support/write-row-batch.js";
export { writeRowBatch } from "./target-support/write-row-batch.js";
