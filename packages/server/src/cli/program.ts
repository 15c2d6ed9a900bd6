import { Command } from "commander";
import { registerAdminCommands } from "./admin-commands.js";
import { setAlias } from "./alias-store.js";
import { registerEventCommands } from "./event-commands.js";
import { registerObjectCommands } from "./object-commands.js";
import { registerServerCommand } from "./server-command.js";

/** The `s3notify` command tree. */
export function buildProgram(version: string): Command {
  const program = new Command("s3notify");
  program
    .description("S3 server with MinIO-compatible bucket notifications, and a client for its rules and events")
    .version(version)
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ outputError: (text, write) => write(text.startsWith("error:") ? `s3notify: ${text.slice(7)}` : text) });
  registerServerCommand(program);
  const alias = program.command("alias").description("manage server aliases (stored in ~/.s3notify/config.json or $S3NOTIFY_CONFIG_DIR)");
  alias
    .command("set")
    .description("add or replace an alias")
    .argument("<NAME>", "alias name")
    .argument("<URL>", "server URL, e.g. http://127.0.0.1:9000")
    .argument("<ACCESS_KEY>", "access key")
    .argument("<SECRET_KEY>", "secret key")
    .action(async (name: string, url: string, accessKey: string, secretKey: string) => {
      const path = await setAlias(name, { url, accessKey, secretKey });
      process.stdout.write(`Added \`${name}\` successfully (${path}).\n`);
    });
  registerObjectCommands(program);
  registerEventCommands(program);
  registerAdminCommands(program);
  return program;
}
