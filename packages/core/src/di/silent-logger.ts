import type { Logger } from "../types.js";

/** The logger used when the host gives none: drops everything. */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
