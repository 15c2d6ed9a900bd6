import { describe, expect, it } from "vitest";
import { S3Error } from "../errors/s3-error.js";
import { matchSimple, newPattern, validateFilterValue } from "./pattern.js";

/** The recursive definition MinIO's matcher was first written as, on bytes: the oracle. */
function referenceMatch(pattern: string, name: string): boolean {
  if (pattern === "") return name === "";
  if (pattern === "*") return true;
  const patternBytes = Buffer.from(pattern, "utf8");
  const nameBytes = Buffer.from(name, "utf8");
  const deep = (nameAt: number, patternAt: number): boolean => {
    while (patternAt < patternBytes.length) {
      const code = patternBytes[patternAt];
      if (code === 0x2a) {
        return patternAt === patternBytes.length - 1 || deep(nameAt, patternAt + 1) || (nameAt < nameBytes.length && deep(nameAt + 1, patternAt));
      }
      if (code === 0x3f) {
        if (nameAt === nameBytes.length) return true;
      } else if (nameAt === nameBytes.length || nameBytes[nameAt] !== code) {
        return false;
      }
      nameAt++;
      patternAt++;
    }
    return nameAt === nameBytes.length;
  };
  return deep(0, 0);
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function randomText(next: () => number, alphabet: readonly string[], maxLength: number): string {
  const length = Math.floor(next() * (maxLength + 1));
  let text = "";
  for (let index = 0; index < length; index++) text += alphabet[Math.floor(next() * alphabet.length)];
  return text;
}

describe("newPattern", () => {
  it.each([
    ["", "", "*"],
    ["images/", "", "images/*"],
    ["", ".jpg", "*.jpg"],
    ["images/", ".jpg", "images/*.jpg"],
    ["images/*", "*.jpg", "images/*.jpg"],
    ["a**", "", "a*"],
    ["a", "***", "a**"],
    ["*", "", "*"],
    ["", "*", "*"],
    ["abc", "bcd", "abc*bcd"],
  ])("prefix %j + suffix %j → %j", (prefix, suffix, pattern) => {
    expect(newPattern(prefix, suffix)).toBe(pattern);
  });
});

describe("matchSimple", () => {
  it.each([
    ["*", "", true],
    ["", "", true],
    ["", "a", false],
    ["images/*", "images/2024/a.jpg", true],
    ["images/*", "Images/a.jpg", false],
    ["*.jpg", "a/b/c.jpg", true],
    ["*.jpg", "a.JPG", false],
    ["abc*bcd", "abcd", false],
    ["abc*bcd", "abcbcd", true],
    ["a?", "a", true],
    ["a?", "ab", true],
    ["a?", "abc", false],
    ["a?bcd", "a", true],
    ["a?b", "ac", false],
    ["a??", "a\u00e9", true],
    ["a?", "a\u00e9", false],
    ["*x?y", "x", true],
    ["caf\u00e9*", "caf\u00e9/menu", true],
    ["*\u00e9", "caf\u00e9", true],
    ["a*b*c", "axxbyyc", true],
    ["a*b*c", "axxcyyb", false],
    ["a*b*c", "abc", true],
    ["a*bc*c", "abcc", true],
  ])("%j against %j is %s", (pattern, name, expected) => {
    expect(matchSimple(pattern, name)).toBe(expected);
    expect(referenceMatch(pattern, name)).toBe(expected);
  });

  it("agrees with the recursive definition on 30,000 random cases", () => {
    const next = random(20240506);
    const patternAlphabet = ["a", "b", "/", "*", "?", "\u00e9"];
    const nameAlphabet = ["a", "b", "/", "\u00e9"];
    for (let index = 0; index < 30_000; index++) {
      const pattern = randomText(next, patternAlphabet, 7);
      const name = randomText(next, nameAlphabet, 8);
      if (matchSimple(pattern, name) !== referenceMatch(pattern, name)) {
        throw new Error(`mismatch for pattern ${JSON.stringify(pattern)} and name ${JSON.stringify(name)}`);
      }
    }
  });

  it("does not backtrack exponentially on hostile patterns", () => {
    const pattern = `${"*a".repeat(40)}*b`;
    const name = "a".repeat(2000);
    const started = performance.now();
    expect(matchSimple(pattern, name)).toBe(false);
    expect(matchSimple(`${pattern}?`, name)).toBe(false);
    // Generous bound: the exponential version would not finish at all.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("validateFilterValue", () => {
  it.each(["", "images/", "a.b/c..d", "\u00e9".repeat(512), "x".repeat(1024), "*.jpg"])("accepts %j", (value) => {
    expect(() => validateFilterValue(value)).not.toThrow();
  });

  it.each([".", "..", "a/./b", "a/../b", "../", "a\\b", "x".repeat(1025), "\u00e9".repeat(513), "bad\ud800"])("rejects %j", (value) => {
    let caught: unknown;
    try {
      validateFilterValue(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(S3Error);
    const error = caught as S3Error;
    expect(error.s3Code).toBe("InvalidArgument");
    expect(error.message).toBe("Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation");
    expect(error.detail).toBe(`invalid filter value '${value}'`);
  });
});
