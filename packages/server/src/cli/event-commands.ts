import {
  type EventRecord,
  type FilterRule,
  formatArn,
  type NotificationConfiguration,
  notificationToXml,
  parseArn,
  parseMcEventList,
  parseNotificationXml,
  type QueueConfiguration,
  type RuleEventName,
} from "@s3notify/core";
import { type Command, Option } from "commander";
import { getAlias, splitTarget } from "./alias-store.js";
import { signedFetch } from "./signed-client.js";

interface FilterOptions {
  readonly event: string;
  readonly prefix?: string;
  readonly suffix?: string;
}

function filterRules(options: { prefix?: string; suffix?: string }): FilterRule[] {
  const rules: FilterRule[] = [];
  if (options.prefix) rules.push({ name: "prefix", value: options.prefix });
  if (options.suffix) rules.push({ name: "suffix", value: options.suffix });
  return rules;
}

function sameQueue(left: QueueConfiguration, right: QueueConfiguration): boolean {
  return (
    left.id === right.id &&
    left.arn.id === right.arn.id &&
    left.arn.type === right.arn.type &&
    JSON.stringify(left.events) === JSON.stringify(right.events) &&
    JSON.stringify(left.filterRules) === JSON.stringify(right.filterRules)
  );
}

async function fetchConfiguration(
  target: string,
): Promise<{ bucket: string; alias: Awaited<ReturnType<typeof getAlias>>; configuration: NotificationConfiguration }> {
  const { alias: aliasName, bucket } = splitTarget(target, { bucketRequired: true });
  const alias = await getAlias(aliasName);
  const response = await signedFetch(alias, { method: "GET", path: `/${bucket}`, query: { notification: "" } });
  return { bucket, alias, configuration: parseNotificationXml(await response.text()) };
}

async function storeConfiguration(alias: Awaited<ReturnType<typeof getAlias>>, bucket: string, configuration: NotificationConfiguration): Promise<void> {
  await signedFetch(alias, {
    method: "PUT",
    path: `/${bucket}`,
    query: { notification: "" },
    body: notificationToXml(configuration, ""),
    contentType: "application/xml",
  });
}

function describeQueue(queue: QueueConfiguration): string {
  const filters = queue.filterRules.map((rule) => `${rule.name}="${rule.value}"`).join(", ");
  return `${formatArn(queue.arn)}   ${queue.events.join(",")}${filters ? `   Filter: ${filters}` : ""}`;
}

/** `mc event add`: fetch the bucket's rules, append one QueueConfiguration, PUT them back. */
export async function eventAdd(
  target: string,
  arnText: string,
  options: FilterOptions & { ignoreExisting?: boolean },
  out: NodeJS.WritableStream,
): Promise<void> {
  const arn = parseArn(arnText);
  const events: RuleEventName[] = parseMcEventList(options.event);
  const { bucket, alias, configuration } = await fetchConfiguration(target);
  const queue: QueueConfiguration = { id: "", arn, events, filterRules: filterRules(options) };
  if (configuration.queues.some((existing) => sameQueue(existing, queue))) {
    if (options.ignoreExisting) {
      out.write(`Notification configuration for ${arnText} already exists on ${target}; nothing to do.\n`);
      return;
    }
    throw new Error(`Overlapping Queue configs: ${target} already sends these events to ${arnText} (use --ignore-existing to accept)`);
  }
  await storeConfiguration(alias, bucket, { queues: [...configuration.queues, queue] });
  out.write(`Successfully added ${arnText}\n`);
}

export async function eventList(target: string, arnText: string | undefined, out: NodeJS.WritableStream): Promise<void> {
  const { configuration } = await fetchConfiguration(target);
  const queues = configuration.queues.filter((queue) => arnText === undefined || formatArn(queue.arn) === arnText);
  for (const queue of queues) out.write(`${describeQueue(queue)}\n`);
}

/** `mc event rm`: removes the entries for an ARN (narrowed by --event/--prefix/--suffix when given), or all with --force. */
export async function eventRemove(
  target: string,
  arnText: string | undefined,
  options: Partial<FilterOptions> & { force?: boolean },
  out: NodeJS.WritableStream,
): Promise<void> {
  if (arnText === undefined && !options.force) throw new Error("give an ARN, or --force to remove every notification rule of the bucket");
  const { bucket, alias, configuration } = await fetchConfiguration(target);
  const events = options.event ? parseMcEventList(options.event) : undefined;
  const rules = filterRules(options);
  const keep = configuration.queues.filter((queue) => {
    if (arnText === undefined) return false;
    if (formatArn({ ...queue.arn, region: "" }) !== formatArn({ ...parseArn(arnText), region: "" })) return true;
    if (events && JSON.stringify(queue.events) !== JSON.stringify(events)) return true;
    if ((options.prefix || options.suffix) && JSON.stringify(queue.filterRules) !== JSON.stringify(rules)) return true;
    return false;
  });
  const removed = configuration.queues.length - keep.length;
  if (removed === 0) throw new Error(`no notification rule of ${target} matches ${arnText ?? "the given filters"}`);
  await storeConfiguration(alias, bucket, { queues: keep });
  out.write(`Successfully removed ${arnText ?? `all ${removed} notification rules`}\n`);
}

function humanSize(bytes: number | undefined): string {
  if (bytes === undefined) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** `mc watch`: streams the Listen API and prints one line per event until interrupted. */
export async function eventListen(
  target: string,
  options: FilterOptions & { json?: boolean },
  out: NodeJS.WritableStream,
  signal?: AbortSignal,
): Promise<void> {
  const { alias: aliasName, bucket } = splitTarget(target, { bucketRequired: false });
  const alias = await getAlias(aliasName);
  const events = parseMcEventList(options.event);
  const query: Record<string, string | string[]> = { events, ping: "10", prefix: options.prefix ?? "", suffix: options.suffix ?? "" };
  const response = await signedFetch(alias, { method: "GET", path: bucket ? `/${bucket}` : "/", query }, signal);
  if (!response.body) throw new Error("the server sent no event stream");
  const decoder = new TextDecoder();
  let pending = "";
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
        if (!line) continue;
        const parsed = JSON.parse(line) as { Records: EventRecord[] | null };
        for (const record of parsed.Records ?? []) {
          if (options.json) out.write(`${JSON.stringify(record)}\n`);
          else {
            const path = `${alias.url}/${record.s3.bucket.name}/${record.s3.object.key}`;
            const size = humanSize(record.s3.object.size as number | undefined);
            out.write(`[${record.eventTime}] ${size ? `${size} ` : ""}${record.eventName} ${path}\n`);
          }
        }
      }
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
}

const EVENT_HELP = "comma-separated: put, delete, get, replica, ilm, scanner";

export function registerEventCommands(program: Command): void {
  const event = program.command("event").description("manage bucket notification rules (like mc event) and watch events");
  event
    .command("add")
    .description("add a notification rule: send the bucket's events to a target ARN")
    .argument("<ALIAS/BUCKET>", "the bucket")
    .argument("<ARN>", "target ARN, e.g. arn:minio:sqs::1:webhook (see the server's 'SQS ARNs:' line)")
    .option("--event <LIST>", EVENT_HELP, "put,delete,get")
    .option("--prefix <PREFIX>", "only keys starting with PREFIX")
    .option("--suffix <SUFFIX>", "only keys ending with SUFFIX")
    .option("-p, --ignore-existing", "succeed when the same rule already exists")
    .action(async (target: string, arn: string, options: FilterOptions & { ignoreExisting?: boolean }) => eventAdd(target, arn, options, process.stdout));
  event
    .command("list")
    .alias("ls")
    .description("list the bucket's notification rules")
    .argument("<ALIAS/BUCKET>", "the bucket")
    .argument("[ARN]", "only rules for this ARN")
    .action(async (target: string, arn: string | undefined) => eventList(target, arn, process.stdout));
  event
    .command("remove")
    .alias("rm")
    .description("remove notification rules for an ARN (or all of them with --force)")
    .argument("<ALIAS/BUCKET>", "the bucket")
    .argument("[ARN]", "target ARN whose rules are removed")
    .addOption(new Option("--event <LIST>", `only the rule with exactly these events (${EVENT_HELP})`))
    .option("--prefix <PREFIX>", "only the rule with this prefix")
    .option("--suffix <SUFFIX>", "only the rule with this suffix")
    .option("--force", "remove every rule of the bucket when no ARN is given")
    .action(async (target: string, arn: string | undefined, options: Partial<FilterOptions> & { force?: boolean }) =>
      eventRemove(target, arn, options, process.stdout),
    );
  event
    .command("listen")
    .alias("watch")
    .description("print the bucket's events as they happen (ListenBucketNotification); ALIAS alone listens to every bucket")
    .argument("<ALIAS[/BUCKET]>", "the bucket, or a whole server")
    .option("--event <LIST>", `${EVENT_HELP}, bucket-creation, bucket-removal`, "put,delete,get")
    .option("--prefix <PREFIX>", "only keys starting with PREFIX")
    .option("--suffix <SUFFIX>", "only keys ending with SUFFIX")
    .option("--json", "print each event record as one JSON line")
    .action(async (target: string, options: FilterOptions & { json?: boolean }) => {
      const controller = new AbortController();
      process.once("SIGINT", () => controller.abort());
      process.once("SIGTERM", () => controller.abort());
      await eventListen(target, options, process.stdout, controller.signal);
    });
}
