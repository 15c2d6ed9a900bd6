import type { ConfigKeySpec } from "../types.js";

/** What a secret is replaced with in dumps, logs and errors. */
export const REDACTED = "*redacted*";

const SECRET_NAME = /pass|secret|token|cred|seed|auth|private|(^|_)key$/i;

/**
 * Hide passwords embedded in a value: URL user info (`amqp://user:pass@host`, also in
 * comma-separated lists), libpq `password=...`, and a MySQL DSN's `user:pass@tcp(...)`.
 */
export function redactEmbeddedSecrets(value: string): string {
  let result = value.replace(/([a-z][a-z0-9+.-]*:\/\/)([^:/@\s,]*):([^@\s,]*)@/gi, (_match, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  result = result.replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&;]+)/gi, (_match, prefix: string) => `${prefix}${REDACTED}`);
  if (!result.includes("://")) {
    // go-sql-driver DSN: [user[:password]@][protocol[(address)]]/dbname; the password may hold '@'.
    result = result.replace(
      /^([^:@\s/]*):(.*)@((?:[a-z0-9]+)?\(|\/)/i,
      (_match, user: string, _password: string, rest: string) => `${user}:${REDACTED}@${rest}`,
    );
  }
  return result;
}

/** A value as it may be shown: redacted whole when the key is secret, else with embedded passwords hidden. */
export function redactValue(spec: Pick<ConfigKeySpec, "secret"> | undefined, value: string): string {
  if (spec?.secret && value !== "") return REDACTED;
  return redactEmbeddedSecrets(value);
}

/** For keys core does not know (so cannot tell secret): hide the value when the name looks secret. */
export function redactUnknownKeyValue(name: string, value: string): string {
  return SECRET_NAME.test(name) && value !== "" ? REDACTED : redactEmbeddedSecrets(value);
}
