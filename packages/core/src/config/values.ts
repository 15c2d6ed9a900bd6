import { ConfigError, type ConfigErrorLocation } from "../errors/config-error.js";

const NO_LOCATION: ConfigErrorLocation = { subsystem: "notify" };

const TRUE_VALUES = new Set(["1", "t", "T", "true", "TRUE", "True", "on", "ON", "On"]);
const FALSE_VALUES = new Set(["0", "f", "F", "false", "FALSE", "False", "off", "OFF", "Off"]);

/**
 * MinIO's `config.ParseBool`, used for `enable`: Go's strconv.ParseBool set plus on/off,
 * and `enabled` / `disabled` in any case. Anything else is an error.
 */
export function parseMinioBool(value: string, location: ConfigErrorLocation = NO_LOCATION): boolean {
  if (TRUE_VALUES.has(value)) return true;
  if (FALSE_VALUES.has(value)) return false;
  const lower = value.toLowerCase();
  if (lower === "enabled") return true;
  if (lower === "disabled") return false;
  throw new ConfigError(location, `ParseBool: parsing '${value}': invalid syntax`);
}

/** MinIO's rule for every boolean key but `enable`: literally `on`; `true`, `ON`, `1` are off. */
export function isOn(value: string): boolean {
  return value === "on";
}

const NANOSECONDS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  "\u00b5s": 1e3,
  "\u03bcs": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
// Go's int64 limit, 2^63 - 1, is not a double; 2^63 is the nearest one.
const MAX_DURATION_NANOSECONDS = 2 ** 63;

/** Go's `time.ParseDuration`, in nanoseconds (`1m30s` → 90e9). Throws ConfigError with Go's message. */
export function parseGoDurationNanoseconds(value: string, location: ConfigErrorLocation = NO_LOCATION): number {
  const quoted = JSON.stringify(value);
  const invalid = () => new ConfigError(location, `time: invalid duration ${quoted}`);
  let rest = value;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") throw invalid();
  let total = 0;
  while (rest !== "") {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = number?.[1] ?? "";
    const fraction = number?.[2];
    if (!number || (whole === "" && (fraction === undefined || fraction === ""))) throw invalid();
    rest = rest.slice(number[0].length);
    const unitMatch = /^[^\d.]+/.exec(rest);
    if (!unitMatch) throw new ConfigError(location, `time: missing unit in duration ${quoted}`);
    const unit = unitMatch[0];
    const scale = NANOSECONDS_PER_UNIT[unit];
    if (scale === undefined) throw new ConfigError(location, `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    rest = rest.slice(unit.length);
    const amount = Number(whole === "" ? "0" : whole) * scale + (fraction ? Number(`0.${fraction}`) * scale : 0);
    total += amount;
    if (total > MAX_DURATION_NANOSECONDS) throw invalid();
  }
  return Math.round(negative ? -total : total);
}

/** Go's `time.ParseDuration`, in milliseconds (`1m30s` → 90000; `1500us` → 1.5). */
export function parseGoDuration(value: string, location: ConfigErrorLocation = NO_LOCATION): number {
  return parseGoDurationNanoseconds(value, location) / 1e6;
}

function fractionDigits(remainder: bigint, digits: number): string {
  const text = remainder.toString().padStart(digits, "0").replace(/0+$/, "");
  return text === "" ? "" : `.${text}`;
}

/** Go's `time.Duration.String()` for a nanosecond count: `0s`, `1.5ms`, `1m30s`, `1h0m0s`. */
export function formatGoDuration(nanoseconds: number | bigint): string {
  let value = BigInt(typeof nanoseconds === "bigint" ? nanoseconds : Math.trunc(nanoseconds));
  if (value === 0n) return "0s";
  const sign = value < 0n ? "-" : "";
  if (value < 0n) value = -value;
  if (value < 1_000n) return `${sign}${value}ns`;
  if (value < 1_000_000n) return `${sign}${value / 1_000n}${fractionDigits(value % 1_000n, 3)}\u00b5s`;
  if (value < 1_000_000_000n) return `${sign}${value / 1_000_000n}${fractionDigits(value % 1_000_000n, 6)}ms`;
  const seconds = value / 1_000_000_000n;
  const secondsText = `${seconds % 60n}${fractionDigits(value % 1_000_000_000n, 9)}s`;
  const minutes = seconds / 60n;
  if (minutes === 0n) return `${sign}${secondsText}`;
  const hours = minutes / 60n;
  if (hours === 0n) return `${sign}${minutes}m${secondsText}`;
  return `${sign}${hours}h${minutes % 60n}m${secondsText}`;
}

/** Go's `strconv.ParseUint(value, 10, 64)`, limited to safe JavaScript integers. */
export function parseUnsignedInt(value: string, location: ConfigErrorLocation = NO_LOCATION): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(location, `strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new ConfigError(location, `strconv.ParseUint: parsing ${JSON.stringify(value)}: value out of range`);
  return parsed;
}

/** Go's `strconv.Atoi`, limited to safe JavaScript integers. */
export function parseSignedInt(value: string, location: ConfigErrorLocation = NO_LOCATION): number {
  if (!/^[+-]?\d+$/.test(value)) throw new ConfigError(location, `strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`);
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new ConfigError(location, `strconv.Atoi: parsing ${JSON.stringify(value)}: value out of range`);
  return parsed;
}
