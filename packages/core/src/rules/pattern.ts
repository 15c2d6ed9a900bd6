import { invalidFilterValueError } from "../s3/notification-errors.js";

/**
 * MinIO's NewPattern (facts §3.5): `prefix*`, `*suffix`, `prefix*suffix`, one
 * non-overlapping pass of `**` → `*`, and `*` when both are empty.
 */
export function newPattern(prefix: string, suffix: string): string {
  let pattern = "";
  if (prefix !== "") pattern = prefix.endsWith("*") ? prefix : `${prefix}*`;
  if (suffix !== "") pattern += suffix.startsWith("*") ? suffix : `*${suffix}`;
  pattern = pattern.split("**").join("*");
  return pattern === "" ? "*" : pattern;
}

const STAR = 0x2a;
const QUESTION = 0x3f;
/**
 * minio/pkg wildcard.MatchSimple: byte-wise and case-sensitive; `*` is any run
 * of bytes (crossing `/`), `?` exactly one byte, except that reaching a `?`
 * when the name is used up counts as a match. Runs as a set-of-positions
 * automaton, O(name × pattern), so hostile patterns cannot make it backtrack.
 */
export function matchSimple(pattern: string, name: string): boolean {
  if (pattern === "") return name === "";
  if (pattern === "*") return true;
  if (!pattern.includes("?")) {
    // Literal text is self-synchronising in UTF-8, so without `?` code units give the same answer as bytes.
    return matchStars(pattern, name);
  }
  return matchBytes(Buffer.from(pattern, "utf8"), Buffer.from(name, "utf8"));
}

function matchStars(pattern: string, name: string): boolean {
  const parts = pattern.split("*");
  if (parts.length === 1) return pattern === name;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  // Greedy leftmost placement of the middle parts is optimal when `*` is the only wildcard.
  let position = first.length;
  const end = name.length - last.length;
  for (let index = 1; index < parts.length - 1; index++) {
    const part = parts[index] as string;
    const found = name.indexOf(part, position);
    if (found < 0 || found + part.length > end) return false;
    position = found + part.length;
  }
  return true;
}

function matchBytes(pattern: Uint8Array, name: Uint8Array): boolean {
  const size = pattern.length;
  let active = new Uint8Array(size + 1);
  let next = new Uint8Array(size + 1);
  addWithClosure(active, pattern, 0);
  for (let offset = 0; offset < name.length; offset++) {
    const byte = name[offset] as number;
    next.fill(0);
    let any = false;
    for (let position = 0; position < size; position++) {
      if (active[position] === 0) continue;
      const code = pattern[position] as number;
      if (code === STAR) {
        addWithClosure(next, pattern, position);
        any = true;
      } else if (code === QUESTION || code === byte) {
        addWithClosure(next, pattern, position + 1);
        any = true;
      }
    }
    if (!any) return false;
    [active, next] = [next, active];
  }
  if (active[size] === 1) return true;
  for (let position = 0; position < size; position++) if (active[position] === 1 && pattern[position] === QUESTION) return true;
  return false;
}

/** Marks a position live, and every position a run of `*` lets it skip to. */
function addWithClosure(states: Uint8Array, pattern: Uint8Array, start: number): void {
  let position = start;
  while (true) {
    if (states[position] === 1) return;
    states[position] = 1;
    if (position >= pattern.length || pattern[position] !== STAR) return;
    position++;
  }
}

/**
 * MinIO's ValidateFilterRuleValue, applied to Listen `prefix`/`suffix` values:
 * at most 1024 UTF-8 bytes, well-formed, no `\`, no `.` or `..` path segment.
 */
export function validateFilterValue(value: string): void {
  for (const segment of value.split("/")) if (segment === "." || segment === "..") throw invalidFilterValueError(value);
  if (Buffer.byteLength(value, "utf8") > 1024 || !isWellFormed(value) || value.includes("\\")) throw invalidFilterValueError(value);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}
