import { readFile, stat, writeFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import type { Command } from "commander";
import { getAlias } from "./alias-store.js";
import { signedFetch } from "./signed-client.js";

const CONTENT_TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".gif": "image/gif",
  ".txt": "text/plain",
  ".json": "application/json",
  ".html": "text/html",
};

function splitObject(target: string): { alias: string; bucket: string; key: string } | undefined {
  const [alias = "", bucket = "", ...rest] = target.split("/");
  if (!alias || !bucket) return undefined;
  return { alias, bucket, key: rest.join("/") };
}

export async function makeBucket(target: string, options: { ignoreExisting?: boolean }, out: NodeJS.WritableStream): Promise<void> {
  const parts = splitObject(target);
  if (!parts || parts.key) throw new Error(`invalid target '${target}': expected ALIAS/BUCKET`);
  const alias = await getAlias(parts.alias);
  try {
    await signedFetch(alias, { method: "PUT", path: `/${parts.bucket}` });
  } catch (error) {
    if (options.ignoreExisting && (error as { remoteCode?: string }).remoteCode === "BucketAlreadyOwnedByYou") {
      out.write(`Bucket \`${target}\` already exists.\n`);
      return;
    }
    throw error;
  }
  out.write(`Bucket created successfully \`${target}\`.\n`);
}

/** Upload (FILE → ALIAS/BUCKET[/KEY]) or download (ALIAS/BUCKET/KEY → FILE). */
export async function copy(source: string, destination: string, out: NodeJS.WritableStream): Promise<void> {
  const remoteDestination = destination.includes("/") ? splitObject(destination) : undefined;
  const remoteSource = splitObject(source);
  if (remoteDestination && (await isLocalFile(source))) {
    const key = remoteDestination.key === "" || remoteDestination.key.endsWith("/") ? `${remoteDestination.key}${basename(source)}` : remoteDestination.key;
    const alias = await getAlias(remoteDestination.alias);
    const body = await readFile(source);
    await signedFetch(alias, {
      method: "PUT",
      path: `/${remoteDestination.bucket}/${key}`,
      body,
      contentType: CONTENT_TYPES[extname(source).toLowerCase()] ?? "application/octet-stream",
    });
    out.write(`${source} -> ${remoteDestination.alias}/${remoteDestination.bucket}/${key} (${body.length} bytes)\n`);
    return;
  }
  if (remoteSource?.key) {
    const alias = await getAlias(remoteSource.alias);
    const response = await signedFetch(alias, { method: "GET", path: `/${remoteSource.bucket}/${remoteSource.key}` });
    const body = Buffer.from(await response.arrayBuffer());
    await writeFile(destination, body);
    out.write(`${source} -> ${destination} (${body.length} bytes)\n`);
    return;
  }
  throw new Error("expected FILE ALIAS/BUCKET[/KEY] (upload) or ALIAS/BUCKET/KEY FILE (download)");
}

async function isLocalFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export function registerObjectCommands(program: Command): void {
  program
    .command("mb")
    .description("make a bucket")
    .argument("<ALIAS/BUCKET>", "the bucket to create")
    .option("-p, --ignore-existing", "succeed when the bucket already exists")
    .action(async (target: string, options: { ignoreExisting?: boolean }) => makeBucket(target, options, process.stdout));
  program
    .command("cp")
    .description("upload a file (FILE ALIAS/BUCKET[/KEY]) or download an object (ALIAS/BUCKET/KEY FILE)")
    .argument("<SOURCE>", "local file or ALIAS/BUCKET/KEY")
    .argument("<DESTINATION>", "ALIAS/BUCKET[/KEY] or local file")
    .action(async (source: string, destination: string) => copy(source, destination, process.stdout));
}
