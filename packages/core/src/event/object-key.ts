const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

/** Go's url.QueryEscape: what MinIO puts in `s3.object.key` for targets (facts §2.3). */
export function queryEscape(name: string): string {
  let escaped = "";
  for (const character of name) {
    if (UNRESERVED.test(character)) escaped += character;
    else if (character === " ") escaped += "+";
    else for (const byte of Buffer.from(character, "utf8")) escaped += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return escaped;
}

/** Go's url.QueryUnescape (`+` is a space). Invalid escapes are kept as they are. */
export function queryUnescape(escaped: string): string {
  const spaced = escaped.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
