import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export interface Alias {
  readonly url: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

interface AliasFile {
  version: 1;
  aliases: Record<string, Alias>;
}

/** `$S3NOTIFY_CONFIG_DIR/config.json`, else `~/.s3notify/config.json`. */
export function aliasFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.S3NOTIFY_CONFIG_DIR || join(homedir(), ".s3notify"), "config.json");
}

async function readAliases(path: string): Promise<AliasFile> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<AliasFile>;
    return { version: 1, aliases: parsed.aliases ?? {} };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, aliases: {} };
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
}

export async function setAlias(name: string, alias: Alias, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`invalid alias name '${name}': use letters, digits, '.', '_' and '-'`);
  let url: URL;
  try {
    url = new URL(alias.url);
  } catch {
    throw new Error(`invalid URL '${alias.url}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`invalid URL '${alias.url}': use http:// or https://`);
  const path = aliasFilePath(env);
  const file = await readAliases(path);
  file.aliases[name] = { url: alias.url.replace(/\/+$/, ""), accessKey: alias.accessKey, secretKey: alias.secretKey };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // The file holds secret keys: written privately and replaced atomically.
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
  return path;
}

export async function getAlias(name: string, env: NodeJS.ProcessEnv = process.env): Promise<Alias> {
  const file = await readAliases(aliasFilePath(env));
  const alias = file.aliases[name];
  if (!alias) throw new Error(`unknown alias '${name}' (add it with: s3notify alias set ${name} URL ACCESS_KEY SECRET_KEY)`);
  return alias;
}

/** `ALIAS/BUCKET` (or `ALIAS` alone when allowed). */
export function splitTarget(target: string, options: { bucketRequired: boolean }): { alias: string; bucket: string } {
  const slash = target.indexOf("/");
  const alias = slash >= 0 ? target.slice(0, slash) : target;
  const bucket = slash >= 0 ? target.slice(slash + 1).replace(/\/+$/, "") : "";
  if (!alias) throw new Error(`invalid target '${target}': expected ALIAS/BUCKET`);
  if (options.bucketRequired && !bucket) throw new Error(`invalid target '${target}': expected ALIAS/BUCKET`);
  if (bucket.includes("/")) throw new Error(`invalid target '${target}': expected ALIAS/BUCKET (no object path)`);
  return { alias, bucket };
}
