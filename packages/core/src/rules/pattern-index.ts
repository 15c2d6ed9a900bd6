import { matchSimple } from "./pattern.js";
import { RadixTree } from "./radix-tree.js";

interface PrefixEntry<Value> {
  readonly values: Set<Value>;
  /** `P*S` patterns under this prefix, keyed by reversed S. */
  suffixes: RadixTree<Set<Value>> | undefined;
}

/**
 * Wildcard patterns (minio/pkg MatchSimple semantics) → values, matched by
 * shape so that the cost of `match` does not grow with the number of patterns:
 * `*` always; a literal by hash; `P*` in a prefix trie walked along the key;
 * `*S` in a trie of reversed suffixes; `P*S` in a suffix trie hung under P.
 * Only patterns with `?` or inner `*` are checked one by one.
 */
export class PatternIndex<Value> {
  private readonly everything = new Set<Value>();
  private readonly literals = new Map<string, Set<Value>>();
  private readonly prefixes = new RadixTree<PrefixEntry<Value>>();
  private readonly suffixes = new RadixTree<Set<Value>>();
  private readonly others = new Map<string, Set<Value>>();
  private hasSuffixes = false;

  add(pattern: string, value: Value): void {
    if (pattern.includes("?")) {
      getOrCreate(this.others, pattern).add(value);
      return;
    }
    // Runs of `*` match exactly what one `*` matches when there is no `?`.
    const parts = pattern.replace(/\*+/g, "*").split("*");
    if (parts.length === 1) {
      getOrCreate(this.literals, pattern).add(value);
      return;
    }
    if (parts.length > 2) {
      getOrCreate(this.others, pattern).add(value);
      return;
    }
    const [prefix = "", suffix = ""] = parts;
    if (prefix === "" && suffix === "") this.everything.add(value);
    else if (suffix === "") this.prefixEntry(prefix).values.add(value);
    else if (prefix === "") {
      this.suffixes.upsert(reverse(suffix), () => new Set()).add(value);
      this.hasSuffixes = true;
    } else {
      const entry = this.prefixEntry(prefix);
      entry.suffixes ??= new RadixTree();
      entry.suffixes.upsert(reverse(suffix), () => new Set()).add(value);
      this.hasSuffixes = true;
    }
  }

  /** Every value whose pattern matches `name`, once each. */
  match(name: string): Set<Value> {
    const found = new Set<Value>();
    this.forEachMatch(name, (value) => found.add(value));
    return found;
  }

  /** Calls `visit` for the values of every pattern matching `name` (a value under two matching patterns comes twice). */
  forEachMatch(name: string, visit: (value: Value) => void): void {
    for (const value of this.everything) visit(value);
    const literal = this.literals.get(name);
    if (literal !== undefined) for (const value of literal) visit(value);
    const reversed = this.hasSuffixes ? reverse(name) : "";
    this.prefixes.visitPrefixesOf(name, name.length, (entry, prefixLength) => {
      for (const value of entry.values) visit(value);
      // The suffix may not overlap the prefix: `abc*bcd` does not match `abcd`.
      entry.suffixes?.visitPrefixesOf(reversed, name.length - prefixLength, (values) => {
        for (const value of values) visit(value);
      });
    });
    if (this.hasSuffixes) {
      this.suffixes.visitPrefixesOf(reversed, name.length, (values) => {
        for (const value of values) visit(value);
      });
    }
    for (const [pattern, values] of this.others) if (matchSimple(pattern, name)) for (const value of values) visit(value);
  }

  private prefixEntry(prefix: string): PrefixEntry<Value> {
    return this.prefixes.upsert(prefix, () => ({ values: new Set(), suffixes: undefined }));
  }
}

function getOrCreate<Value>(map: Map<string, Set<Value>>, key: string): Set<Value> {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}

function reverse(text: string): string {
  let reversed = "";
  for (let index = text.length - 1; index >= 0; index--) reversed += text[index];
  return reversed;
}
