/**
 * Parse a libpq connection string: either `key=value` pairs separated by
 * whitespace (values may be single-quoted, `\'` and `\\` escape) or a
 * `postgres://` / `postgresql://` URL. Returns the parameters by libpq name
 * (`host`, `port`, `dbname`, `user`, `password`, `sslmode`, ...).
 *
 * Error messages name the problem and the parameter, never a value: the string
 * may hold a password.
 */
export function parseLibpqConnectionString(text: string): Map<string, string> {
  const trimmed = text.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return parseConnectionUrl(trimmed);
  return parseKeyValueString(trimmed);
}

function parseKeyValueString(text: string): Map<string, string> {
  const parameters = new Map<string, string>();
  let position = 0;
  const length = text.length;
  const isSpace = (character: string | undefined) => character !== undefined && /\s/.test(character);

  while (position < length) {
    while (isSpace(text[position])) position++;
    if (position >= length) break;

    const keyStart = position;
    while (position < length && text[position] !== "=" && !isSpace(text[position])) position++;
    const key = text.slice(keyStart, position);
    while (isSpace(text[position])) position++;
    if (text[position] !== "=") {
      // Never echo the token: with a mistyped quote it may be a piece of a password.
      throw new Error('missing "=" after a parameter name in connection info string');
    }
    position++;
    while (isSpace(text[position])) position++;

    let value = "";
    if (text[position] === "'") {
      position++;
      let closed = false;
      while (position < length) {
        const character = text[position] as string;
        if (character === "\\" && position + 1 < length) {
          value += text[position + 1];
          position += 2;
        } else if (character === "'") {
          position++;
          closed = true;
          break;
        } else {
          value += character;
          position++;
        }
      }
      if (!closed) throw new Error("unterminated quoted string in connection info string");
    } else {
      while (position < length && !isSpace(text[position])) {
        const character = text[position] as string;
        if (character === "\\" && position + 1 < length) {
          value += text[position + 1];
          position += 2;
        } else {
          value += character;
          position++;
        }
      }
    }
    if (key === "") throw new Error("empty parameter name in connection info string");
    parameters.set(key, value);
  }
  return parameters;
}

function parseConnectionUrl(text: string): Map<string, string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error("invalid connection URL");
  }
  const parameters = new Map<string, string>();
  const decode = (value: string) => {
    try {
      return decodeURIComponent(value);
    } catch {
      throw new Error("invalid percent-encoding in connection URL");
    }
  };
  if (url.hostname !== "") parameters.set("host", decode(url.hostname).replace(/^\[(.*)\]$/, "$1"));
  if (url.port !== "") parameters.set("port", url.port);
  if (url.username !== "") parameters.set("user", decode(url.username));
  if (url.password !== "") parameters.set("password", decode(url.password));
  const database = decode(url.pathname.replace(/^\//, ""));
  if (database !== "") parameters.set("dbname", database);
  for (const [key, value] of url.searchParams) parameters.set(key, value);
  return parameters;
}
