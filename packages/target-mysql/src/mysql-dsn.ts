/** The parts of a go-sql-driver DSN: `[user[:password]@][net[(addr)]]/dbname[?param=value&...]`. */
export interface MysqlDsn {
  readonly user: string;
  readonly password: string;
  /** `tcp` (default) or `unix`. */
  readonly net: string;
  /** `host:port`, `[v6]:port`, a socket path, or "" for the driver's default. */
  readonly address: string;
  readonly database: string;
  readonly params: ReadonlyMap<string, string>;
}

/**
 * Parse a DSN the way go-sql-driver/mysql's ParseDSN does: the last `/` ends the
 * address part, the last `@` before it ends the credentials, the first `:` splits
 * user and password (so a password may hold `@`, `:` and `/`). Error messages are
 * the driver's and never carry a value: the DSN may hold a password.
 */
export function parseMysqlDsn(dsn: string): MysqlDsn {
  const slash = dsn.lastIndexOf("/");
  if (slash < 0) throw new Error("invalid DSN: missing the slash separating the database name");

  let user = "";
  let password = "";
  let net = "";
  let address = "";
  const left = dsn.slice(0, slash);
  if (left !== "") {
    const at = left.lastIndexOf("@");
    let protocolStart = 0;
    if (at >= 0) {
      const credentials = left.slice(0, at);
      const colon = credentials.indexOf(":");
      if (colon >= 0) {
        user = credentials.slice(0, colon);
        password = credentials.slice(colon + 1);
      } else {
        user = credentials;
      }
      protocolStart = at + 1;
    }
    const protocolPart = left.slice(protocolStart);
    const open = protocolPart.indexOf("(");
    if (open >= 0) {
      if (!protocolPart.endsWith(")")) {
        if (protocolPart.slice(open + 1).includes(")")) throw new Error("invalid DSN: did you forget to escape a param value?");
        throw new Error("invalid DSN: network address not terminated (missing closing brace)");
      }
      net = protocolPart.slice(0, open);
      address = protocolPart.slice(open + 1, -1);
    } else {
      net = protocolPart;
    }
  }

  const rest = dsn.slice(slash + 1);
  const question = rest.indexOf("?");
  const databasePart = question >= 0 ? rest.slice(0, question) : rest;
  const params = new Map<string, string>();
  if (question >= 0) {
    for (const pair of rest.slice(question + 1).split("&")) {
      if (pair === "") continue;
      const equals = pair.indexOf("=");
      if (equals < 0) throw new Error("invalid DSN: a parameter has no value (param=value)");
      params.set(pair.slice(0, equals), unescapeDsnPart(pair.slice(equals + 1), "invalid DSN: a parameter value is badly escaped"));
    }
  }
  return {
    user,
    password,
    net: net === "" ? "tcp" : net,
    address,
    database: unescapeDsnPart(databasePart, "invalid DSN: the database name is badly escaped", false),
    params,
  };
}

/** url.QueryUnescape (`+` is a space) for parameter values, url.PathUnescape for the database name. */
function unescapeDsnPart(text: string, message: string, plusIsSpace = true): string {
  try {
    return decodeURIComponent(plusIsSpace ? text.replace(/\+/g, " ") : text);
  } catch {
    throw new Error(message);
  }
}

/** Split `host:port` / `[v6]:port` / `host`. */
export function splitHostPort(address: string): { host: string; port: string | undefined } {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(address);
  if (bracketed) return { host: bracketed[1] as string, port: bracketed[2] };
  const colon = address.lastIndexOf(":");
  if (colon < 0 || address.indexOf(":") !== colon) return { host: address, port: undefined };
  return { host: address.slice(0, colon), port: address.slice(colon + 1) };
}
