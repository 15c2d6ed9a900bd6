const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

const NEEDS_REWRITE = /[<>&\u2028\u2029]|\\ud[89a-f]/;

/**
 * JSON text byte-identical to Go's encoding/json for the values core builds:
 * compact, `<` `>` `&` and U+2028/U+2029 escaped, lone surrogates (invalid
 * UTF-8 in Go) replaced by U+FFFD. Object key order is the caller's: build
 * objects in MinIO's field order and sort map-like objects with `sortedMap`.
 */
export function goJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) return "null";
  // Most records need neither rewrite: one scan instead of two replace passes (this is on every send).
  if (!NEEDS_REWRITE.test(json)) return json;
  return json
    .replace(/[<>&\u2028\u2029]/g, (character) => GO_ESCAPES[character] ?? character)
    .replace(/\\ud[89ab][0-9a-f]{2}(?!\\udc|\\udd|\\ude|\\udf)|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/g, "\ufffd");
}

/** Whether JSON text from JSON.stringify is already what goJson makes of the same value (no rewrite needed). */
export function isGoJson(json: string): boolean {
  return !NEEDS_REWRITE.test(json);
}

/** A copy of a string map with keys in byte order, as Go marshals maps. */
export function sortedMap(map: Readonly<Record<string, string>>): Record<string, string> {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(map).sort(compareBytes)) sorted[key] = map[key] as string;
  return sorted;
}

function compareBytes(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, "utf8"), Buffer.from(right, "utf8"));
}
