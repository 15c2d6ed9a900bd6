const QUOTED_IDENTIFIER = /^"[^"]+"$/;
const PLAIN_IDENTIFIER = /^[\p{L}_][\p{L}\p{Nd}_$]*$/u;

/**
 * MinIO's rule (facts §6.7): a double-quoted identifier without an inner quote,
 * or a plain identifier starting with a letter or `_` followed by letters,
 * digits, `_` or `$`. The name is put verbatim into SQL, so nothing else may pass
 * (no `schema.table`, no spaces, no `;`).
 */
export function isValidPostgresTableName(name: string): boolean {
  return QUOTED_IDENTIFIER.test(name) || PLAIN_IDENTIFIER.test(name);
}
