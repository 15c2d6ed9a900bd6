const UNIT_NANOSECONDS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in milliseconds (fractions of a millisecond are kept). Undefined when invalid. */
export function parseGoDurationMs(text: string): number | undefined {
  const value = text.trim();
  if (value === "0" || value === "+0" || value === "-0") return 0;
  const match = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(value);
  if (!match) return undefined;
  let nanoseconds = 0;
  for (const part of value.replace(/^[+-]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    nanoseconds += Number(part[1]) * (UNIT_NANOSECONDS[part[2] as string] as number);
  }
  return (match[1] === "-" ? -nanoseconds : nanoseconds) / 1e6;
}
