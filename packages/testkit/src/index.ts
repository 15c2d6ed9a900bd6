export type {
  ConformanceBackend,
  ConformanceFormat,
  ConformanceOptions,
  DeliveryShape,
  InvalidConfigCase,
  RunningService,
  ServiceName,
  StartServiceOptions,
} from "./types.js";
