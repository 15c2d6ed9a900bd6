const QUOTED_IDENTIFIER = /^`[^`]+`$/;
const PLAIN_IDENTIFIER = /^[A-Za-z0-9_$]+$/;

/**
 * MinIO puts the MySQL table name verbatim into SQL without checking it; we accept
 * only a backquoted identifier without an inner backquote, or a plain identifier of
 * `[A-Za-z0-9_$]` that is not all digits (MySQL would read that as a number), at
 * most 64 characters. Nothing else can reach the SQL text.
 */
export function isValidMysqlTableName(name: string): boolean {
  const bare = QUOTED_IDENTIFIER.test(name) ? name.slice(1, -1) : name;
  if (bare.length > 64) return false;
  if (QUOTED_IDENTIFIER.test(name)) return !name.includes("\u0000") && !/\s$/.test(bare);
  return PLAIN_IDENTIFIER.test(name) && !/^\d+$/.test(name);
}
