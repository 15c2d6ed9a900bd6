/** The root credentials the server accepts, and where they came from (for the start-up banner). */
export interface Credentials {
  readonly accessKey: string;
  readonly secretKey: string;
}

export type CredentialSource = "flags" | "environment" | "defaults";

export const DEFAULT_CREDENTIALS: Credentials = { accessKey: "minioadmin", secretKey: "minioadmin" };

/** Flags first, then MINIO_ROOT_USER/MINIO_ROOT_PASSWORD, then minioadmin/minioadmin. */
export function resolveCredentials(
  flags: { accessKey?: string; secretKey?: string },
  env: NodeJS.ProcessEnv,
): { credentials: Credentials; source: CredentialSource } {
  if (flags.accessKey || flags.secretKey) {
    if (!flags.accessKey || !flags.secretKey) throw new Error("--access-key and --secret-key must be given together");
    return { credentials: { accessKey: flags.accessKey, secretKey: flags.secretKey }, source: "flags" };
  }
  const user = env.MINIO_ROOT_USER;
  const password = env.MINIO_ROOT_PASSWORD;
  if (user || password) {
    if (!user || !password) throw new Error("MINIO_ROOT_USER and MINIO_ROOT_PASSWORD must be set together");
    return { credentials: { accessKey: user, secretKey: password }, source: "environment" };
  }
  return { credentials: DEFAULT_CREDENTIALS, source: "defaults" };
}
