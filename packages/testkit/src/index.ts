export type { ChaosCounts, ChaosFailure, ChaosTarget, RecordingTarget } from "./chaos-target.js";
export { chaosTarget, recordingTarget } from "./chaos-target.js";
export type {
  DocumentRejection,
  ElasticsearchTestServer,
  ElasticsearchTestServerOptions,
  RecordedRequest,
  StoredDocument,
} from "./elasticsearch-test-server.js";
export { elasticsearchErrorBody, startElasticsearchTestServer } from "./elasticsearch-test-server.js";
export type { KafkaTestBrokerOptions, KafkaTestMessage } from "./kafka/kafka-test-broker.js";
export { KafkaErrorCode, KafkaTestBroker } from "./kafka/kafka-test-broker.js";
export type { SaslCredentials, SaslMechanism } from "./kafka/sasl-server.js";
export type { NatsStreamingTestServerOptions, StanPublishMode, StanStoredMessage } from "./nats-streaming-test-server.js";
export { NatsStreamingTestServer } from "./nats-streaming-test-server.js";
export type { NsqTestMessage, NsqTestServerOptions } from "./nsq/nsq-test-server.js";
export { NsqTestServer } from "./nsq/nsq-test-server.js";
export { fullTargetValues, runTargetConformance } from "./run-target-conformance.js";
export { freePort, SERVICE_PACKAGES, startService } from "./start-service.js";
export type { EventuallyOptions, TargetFixture, TargetFixtureCreateOptions } from "./target-fixture.js";
export { eventually, targetFixture } from "./target-fixture.js";
export type { TestCertificate, TestCertificates, TestCertificatesOptions } from "./test-certificates.js";
export { makeTestCertificates } from "./test-certificates.js";
export type {
  ConformanceBackend,
  ConformanceFormat,
  ConformanceOptions,
  DeliveryShape,
  InvalidConfigCase,
  RunningService,
  ServiceName,
  ServiceTlsFiles,
  StartServiceOptions,
} from "./types.js";
