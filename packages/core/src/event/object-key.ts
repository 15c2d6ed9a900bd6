const ALL_UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;
/** What encodeURIComponent leaves alone but Go's url.QueryEscape escapes (and `%20`, which Go writes as `+`). */
const COMPONENT_DIFFERENCES = /[!'()*]|%20/g;
const GO_ESCAPES: Record<string, string> = { "!": "%21", "'": "%27", "(": "%28", ")": "%29", "*": "%2A", "%20": "+" };

/** Go's url.QueryEscape: what MinIO puts in `s3.object.key` for targets (facts §2.3). */
export function queryEscape(name: string): string {
  if (ALL_UNRESERVED.test(name)) return name;
  let escaped: string;
  try {
    escaped = encodeURIComponent(name);
  } catch {
    // A lone surrogate: Go sees the bytes of U+FFFD there, as Buffer.from writes them.
    return queryEscapeByCharacter(name);
  }
  return escaped.replace(COMPONENT_DIFFERENCES, (match) => GO_ESCAPES[match] ?? match);
}

function queryEscapeByCharacter(name: string): string {
  let escaped = "";
  for (const character of name) {
    if (ALL_UNRESERVED.test(character)) escaped += character;
    else if (character === " ") escaped += "+";
    else for (const byte of Buffer.from(character, "utf8")) escaped += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return escaped;
}

/** Go's url.QueryUnescape (`+` is a space). Invalid escapes are kept as they are. */
export function queryUnescape(escaped: string): string {
  if (!escaped.includes("%")) return escaped.includes("+") ? escaped.replace(/\+/g, " ") : escaped;
  const spaced = escaped.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
