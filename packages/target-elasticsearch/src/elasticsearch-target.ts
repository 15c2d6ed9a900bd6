import type { ConnectionOptions } from "node:tls";
import { Client, errors } from "@elastic/elasticsearch";
import {
  type EventRecord,
  goJson,
  type Logger,
  objectPath,
  permanentError,
  recordsJson,
  retryableError,
  type Target,
  TargetBatchError,
  type TargetCapabilities,
  type TargetContext,
  TargetError,
  type TargetId,
} from "@s3notify/core";
import { namespaceDocumentId } from "./document-id.js";
import type { ElasticsearchTargetConfig } from "./types.js";

/** What a host that builds the target itself can add; no config key holds these. */
export interface ElasticsearchTargetOptions {
  /** TLS options for an https URL, e.g. `{ ca }` for a private CA (Node's CA store is used otherwise). */
  readonly tls?: ConnectionOptions;
}

/** MinIO gives each Elasticsearch operation a 5 s context. */
const REQUEST_TIMEOUT_MS = 5_000;

/** One bulk action line (and its source line) per record, as NDJSON text. */
export function bulkLines(record: EventRecord, config: Pick<ElasticsearchTargetConfig, "format" | "index" | "compatShape">): string[] {
  if (config.format === "access") return [goJson({ index: { _index: config.index } }), recordsJson(record)];
  const id = namespaceDocumentId(objectPath(record), config.compatShape);
  if (record.eventName === "s3:ObjectRemoved:Delete") return [goJson({ delete: { _index: config.index, _id: id } })];
  return [goJson({ index: { _index: config.index, _id: id } }), recordsJson(record)];
}

interface BulkItemOutcome {
  status?: number;
  error?: { type?: string; reason?: string | null } | null;
}

/** A bulk item status worth retrying: throttled, server-side trouble, or auth that an operator may fix. */
function retryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 401 || status === 403 || status === 408 || status === 429 || status >= 500;
}

/**
 * Writes events to one index the way MinIO's elasticsearch target does: namespace documents
 * under a HighwayHash id of `bucket/object` (deleted on `s3:ObjectRemoved:Delete`, overwritten
 * otherwise), access documents under server-generated ids. A batch is one bulk request.
 */
export class ElasticsearchTarget implements Target {
  readonly id: TargetId;
  readonly capabilities: TargetCapabilities = { maxBatchSize: 500, ordered: true };
  readonly #config: ElasticsearchTargetConfig;
  readonly #logger: Logger;
  readonly #options: ElasticsearchTargetOptions;
  #client: Client | undefined;
  #opened = false;

  constructor(config: ElasticsearchTargetConfig, context: TargetContext, options: ElasticsearchTargetOptions = {}) {
    this.#config = config;
    this.#options = options;
    this.id = context.targetId;
    this.#logger = context.logger;
  }

  get #where(): string {
    return `elasticsearch ${this.#config.url}`;
  }

  #getClient(): Client {
    const { url, username, password } = this.#config;
    this.#client ??= new Client({
      node: url,
      ...(username || password ? { auth: { username, password } } : {}),
      requestTimeout: REQUEST_TIMEOUT_MS,
      // core owns retries and backoff; a failed request goes back to it at once.
      maxRetries: 0,
      compression: false,
      ...(this.#options.tls ? { tls: this.#options.tls } : {}),
    });
    return this.#client;
  }

  /** Any message that leaves this target, with the password blanked should a library echo it. */
  #redact(message: string): string {
    const { password } = this.#config;
    let redacted = message.replace(/\/\/[^/@\s]*:[^/@\s]*@/g, "//*REDACTED*@");
    if (password) redacted = redacted.split(password).join("*REDACTED*");
    return redacted;
  }

  #failure(what: string, error: unknown): TargetError {
    const message = this.#redact(`${this.#where}: ${what}: ${describeError(error)}`);
    // A whole request refused as malformed (400) or too large (413) fails the same way every time; any other
    // status (404 from a proxy, 401, 5xx, …) is more likely a passing or fixable condition of the endpoint.
    if (error instanceof errors.ResponseError)
      return new TargetError(message, { retryable: error.statusCode !== 400 && error.statusCode !== 413, cause: error });
    if (error instanceof errors.ProductNotSupportedError) return permanentError(message, error);
    return retryableError(message, error);
  }

  async open(): Promise<void> {
    if (this.#opened) return;
    const client = this.#getClient();
    let versionNumber: string;
    try {
      versionNumber = (await client.info()).version.number;
    } catch (error) {
      throw this.#failure("not connected", error);
    }
    const major = Number.parseInt(versionNumber, 10);
    if (!Number.isFinite(major) || major <= 6) {
      throw permanentError(`${this.#where}: Elasticsearch version '${versionNumber}' is not supported! Please use at least version 7.x.`);
    }
    const { index } = this.#config;
    try {
      const resolved = await client.indices.resolveIndex({ name: index });
      if (!resolved.indices.some((entry) => entry.name === index)) await client.indices.create({ index });
    } catch (error) {
      // As MinIO: a failure here is not fatal (another writer may have created it; writes auto-create).
      this.#logger.warn("elasticsearch: could not check or create the index", { target: this.id.id, index, error: this.#redact(describeError(error)) });
    }
    this.#opened = true;
  }

  async send(batch: readonly EventRecord[]): Promise<void> {
    if (batch.length === 0) return;
    await this.open();
    const operations = batch.flatMap((record) => bulkLines(record, this.#config));
    let response: { errors: boolean; items: Record<string, BulkItemOutcome | undefined>[] };
    try {
      // Strings go out as they are: the bodies are Go-compatible JSON, byte for byte MinIO's.
      response = (await this.#getClient().bulk({ operations: operations as unknown as object[] })) as typeof response;
    } catch (error) {
      throw this.#failure("bulk request failed", error);
    }
    const delivered: number[] = [];
    const failures: { index: number; status: number | undefined; text: string }[] = [];
    batch.forEach((record, index) => {
      const item = response.items[index];
      const outcome = item ? Object.values(item)[0] : undefined;
      const status = outcome?.status;
      const isDelete = item !== undefined && "delete" in item;
      // MinIO checks existence before a delete: deleting a missing document is success.
      if (status !== undefined && ((status >= 200 && status < 300) || (isDelete && status === 404))) {
        delivered.push(index);
        return;
      }
      const reason = outcome?.error ? `${outcome.error.type ?? "error"}: ${outcome.error.reason ?? ""}` : "no result for this item";
      failures.push({ index, status, text: `${record.eventName} ${objectPath(record)}: ${status ?? "?"} ${reason}` });
    });
    if (failures.length === 0) return;
    const retryable = failures.some((failure) => retryableStatus(failure.status));
    const first = failures[0] as (typeof failures)[number];
    const message = this.#redact(`${this.#where}: ${failures.length} of ${batch.length} events refused, first: ${first.text}`);
    if (delivered.length === 0) throw new TargetError(message, { retryable });
    throw new TargetBatchError(message, { delivered, retryable });
  }

  async isActive(): Promise<boolean> {
    try {
      return await this.#getClient().ping();
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#opened = false;
    await client?.close().catch(() => undefined);
  }
}

function describeError(error: unknown): string {
  if (error instanceof errors.ResponseError) {
    const body = error.body as { error?: { type?: string; reason?: string } } | undefined;
    const detail = body?.error ? `${body.error.type ?? ""}: ${body.error.reason ?? ""}` : error.message;
    return `status ${error.statusCode ?? "?"} ${detail}`;
  }
  return error instanceof Error ? error.message || error.name : String(error);
}
