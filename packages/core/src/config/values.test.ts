import { describe, expect, it } from "vitest";
import { formatGoDuration, isOn, parseGoDuration, parseGoDurationNanoseconds, parseMinioBool, parseSignedInt, parseUnsignedInt } from "./values.js";

describe("parseMinioBool", () => {
  it.each(["1", "t", "T", "true", "TRUE", "True", "on", "ON", "On", "enabled", "ENABLED", "Enabled"])("%s is true", (value) => {
    expect(parseMinioBool(value)).toBe(true);
  });
  it.each(["0", "f", "F", "false", "FALSE", "False", "off", "OFF", "Off", "disabled", "DisAbled"])("%s is false", (value) => {
    expect(parseMinioBool(value)).toBe(false);
  });
  it.each(["", "yes", "tRUE", "oN", "2"])("%j is an error naming the key", (value) => {
    expect(() => parseMinioBool(value, { subsystem: "notify_webhook", targetId: "1", key: "enable" })).toThrow(
      `notify_webhook:1: enable: ParseBool: parsing '${value}': invalid syntax`,
    );
  });
});

describe("isOn", () => {
  it("is true only for the literal on", () => {
    expect(isOn("on")).toBe(true);
    for (const value of ["ON", "true", "1", "On", " on"]) expect(isOn(value)).toBe(false);
  });
});

describe("parseGoDuration", () => {
  it.each([
    ["0", 0],
    ["0s", 0],
    ["10s", 10_000],
    ["1m30s", 90_000],
    ["1h", 3_600_000],
    ["1.5h", 5_400_000],
    ["300ms", 300],
    ["1500us", 1.5],
    ["1500\u00b5s", 1.5],
    ["2000000ns", 2],
    ["-1m", -60_000],
    ["+5s", 5000],
    [".5s", 500],
    ["1.s", 1000],
    ["1h2m3s4ms", 3_723_004],
  ])("%s → %d ms", (value, expected) => {
    expect(parseGoDuration(value)).toBe(expected);
  });
  it("returns nanoseconds too", () => {
    expect(parseGoDurationNanoseconds("1m30s")).toBe(90e9);
  });
  it.each([
    ["", 'time: invalid duration ""'],
    ["10", 'time: missing unit in duration "10"'],
    ["10x", 'time: unknown unit "x" in duration "10x"'],
    ["s", 'time: invalid duration "s"'],
    [".s", 'time: invalid duration ".s"'],
    ["1s ", 'time: unknown unit "s " in duration "1s "'],
  ])("%j fails with Go's message", (value, message) => {
    expect(() => parseGoDuration(value)).toThrow(message);
  });
});

describe("formatGoDuration", () => {
  it.each([
    [0, "0s"],
    [1, "1ns"],
    [1500, "1.5\u00b5s"],
    [1_500_000, "1.5ms"],
    [1e9, "1s"],
    [90e9, "1m30s"],
    [3600e9, "1h0m0s"],
    [3723.5e9, "1h2m3.5s"],
    [-2e9, "-2s"],
  ])("%d ns → %s", (nanoseconds, expected) => {
    expect(formatGoDuration(nanoseconds)).toBe(expected);
  });
  it("round-trips through parseGoDurationNanoseconds", () => {
    for (const value of [1, 999, 1_000_001, 61e9, 7322e9]) expect(parseGoDurationNanoseconds(formatGoDuration(value))).toBe(value);
  });
});

describe("integers", () => {
  it("parses unsigned decimal integers only", () => {
    expect(parseUnsignedInt("0")).toBe(0);
    expect(parseUnsignedInt("100000")).toBe(100000);
    for (const value of ["-1", "+1", "1.5", "", "0x10", " 1"]) {
      expect(() => parseUnsignedInt(value, { subsystem: "notify_amqp", key: "queue_limit" })).toThrow(/notify_amqp: queue_limit: strconv.ParseUint/);
    }
    expect(() => parseUnsignedInt("99999999999999999999")).toThrow(/out of range/);
  });
  it("parses signed integers", () => {
    expect(parseSignedInt("-3")).toBe(-3);
    expect(parseSignedInt("+3")).toBe(3);
    expect(() => parseSignedInt("3a")).toThrow(/strconv.Atoi/);
  });
});
