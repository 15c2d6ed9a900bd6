import type { Command } from "commander";
import { getAlias } from "./alias-store.js";
import { signedFetch } from "./signed-client.js";

async function readStdin(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

export async function adminConfigGet(aliasName: string, out: NodeJS.WritableStream): Promise<void> {
  const alias = await getAlias(aliasName);
  const response = await signedFetch(alias, { method: "GET", path: "/s3notify/admin/config" });
  out.write(await response.text());
}

export async function adminConfigSet(aliasName: string, input: NodeJS.ReadableStream, out: NodeJS.WritableStream): Promise<void> {
  const alias = await getAlias(aliasName);
  const text = await readStdin(input);
  if (!text.trim()) throw new Error('no configuration on stdin (expected MinIO JSON {"notify":{...}} or KV lines)');
  const response = await signedFetch(alias, { method: "PUT", path: "/s3notify/admin/config", body: text, contentType: "application/json" });
  const result = (await response.json()) as { arns?: string[] };
  out.write(`Configuration applied; targets changed without a restart.\nSQS ARNs: ${(result.arns ?? []).map((arn) => `${arn} `).join("")}\n`);
}

export function registerAdminCommands(program: Command): void {
  const admin = program.command("admin").description("server administration");
  const config = admin.command("config").description("read or replace the notify configuration");
  config
    .command("get")
    .description("print the notify configuration as MinIO JSON, secrets redacted")
    .argument("<ALIAS>", "the server")
    .action(async (alias: string) => adminConfigGet(alias, process.stdout));
  config
    .command("set")
    .description("replace the notify configuration with the JSON (or KV lines) read from stdin; applied live")
    .argument("<ALIAS>", "the server")
    .action(async (alias: string) => adminConfigSet(alias, process.stdin, process.stdout));
}
