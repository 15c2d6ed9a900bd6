import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { gunzipSync, inflateSync } from "node:zlib";

// An Elasticsearch stand-in on node:http for tests: the REST subset that the official clients use
// to index, read, delete and bulk-write documents, answered with the headers and body shapes a real
// 8.x node sends. Documents are visible at once (every write behaves as if refreshed).

export interface ElasticsearchTestServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  /** Reported as `version.number` by `GET /` (default "8.19.0"). */
  readonly version?: string;
  /** When set, every request needs these HTTP basic credentials (else 401 with ES's body). */
  readonly auth?: { readonly username: string; readonly password: string };
  /** Serve HTTPS with this PEM certificate and key (the URL becomes https://). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

export interface RecordedRequest {
  readonly method: string;
  /** Raw path and query, as sent. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** A stored document. */
export interface StoredDocument {
  readonly id: string;
  readonly source: unknown;
  readonly version: number;
  readonly seqNo: number;
}

/** Decides the fate of one document write: a status ≥ 400 refuses it with `type`/`reason`. */
export type DocumentRejection = (index: string, id: string | undefined, source: unknown) => { status: number; type: string; reason: string } | undefined;

export interface ElasticsearchTestServer {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`; no credentials). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order (including refused ones). */
  readonly requests: RecordedRequest[];
  /** Names of existing indices. */
  indices(): string[];
  /** The documents of an index in insertion order; undefined when the index does not exist. */
  documents(index: string): StoredDocument[] | undefined;
  /** Answer the next `count` requests with `status` and an ES-shaped error body (default 503). */
  failNext(count: number, status?: number): void;
  /** Refuse document writes (index/create/update, single or in a bulk) that the function picks; undefined clears. */
  rejectDocuments(rejection: DocumentRejection | undefined): void;
  /** Close the listener and every open connection, keeping the data: an outage. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  /** Stop for good. */
  close(): Promise<void>;
}

interface IndexState {
  readonly documents: Map<string, StoredDocument>;
  readonly uuid: string;
  seqNo: number;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    reason: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(reason);
  }
}

const ERROR_TYPES: Record<number, string> = {
  400: "illegal_argument_exception",
  401: "security_exception",
  403: "security_exception",
  404: "resource_not_found_exception",
  409: "version_conflict_engine_exception",
  429: "es_rejected_execution_exception",
  500: "internal_server_error",
  502: "bad_gateway",
  503: "cluster_block_exception",
  504: "gateway_timeout",
};

/** ES's error body: `{error:{root_cause:[…],type,reason,…},status}`. */
export function elasticsearchErrorBody(status: number, type: string, reason: string, extra: Record<string, unknown> = {}): unknown {
  const cause = { type, reason, ...extra };
  return { error: { root_cause: [cause], ...cause }, status };
}

function shards(): { total: number; successful: number; failed: number } {
  return { total: 2, successful: 1, failed: 0 };
}

function generatedId(): string {
  return randomBytes(15).toString("base64url");
}

function validIndexName(name: string): void {
  const invalid = /[\\/*?"<>| ,#:]/.test(name) || /^[-_+]/.test(name) || name !== name.toLowerCase() || name === "" || name === "." || name === "..";
  if (invalid) {
    throw new HttpError(400, "invalid_index_name_exception", `Invalid index name [${name}], must be lowercase and must not contain forbidden characters`, {
      index: name,
      index_uuid: "_na_",
    });
  }
}

function globMatch(pattern: string, value: string): boolean {
  const expression = new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return expression.test(value);
}

/** Start a test server on 127.0.0.1; resolves once it listens. */
export async function startElasticsearchTestServer(options: ElasticsearchTestServerOptions = {}): Promise<ElasticsearchTestServer> {
  const version = options.version ?? "8.19.0";
  const store = new Map<string, IndexState>();
  const requests: RecordedRequest[] = [];
  let failures: { remaining: number; status: number } = { remaining: 0, status: 503 };
  let rejection: DocumentRejection | undefined;
  let server: Server | undefined;
  let port = options.port ?? 0;

  const expectedAuthorization = options.auth
    ? Buffer.from(`Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString("base64")}`)
    : undefined;

  function getIndex(name: string): IndexState {
    const state = store.get(name);
    if (!state)
      throw new HttpError(404, "index_not_found_exception", `no such index [${name}]`, {
        "resource.type": "index_or_alias",
        "resource.id": name,
        index_uuid: "_na_",
        index: name,
      });
    return state;
  }

  function createIndex(name: string): IndexState {
    validIndexName(name);
    const state: IndexState = { documents: new Map(), uuid: generatedId(), seqNo: 0 };
    store.set(name, state);
    return state;
  }

  function autoCreate(name: string): IndexState {
    return store.get(name) ?? createIndex(name);
  }

  /** Index (create or overwrite) one document; returns ES's per-document result. */
  function writeDocument(indexName: string, id: string | undefined, source: unknown, onlyCreate: boolean): { status: number; body: Record<string, unknown> } {
    if (typeof source !== "object" || source === null || Array.isArray(source)) {
      throw new HttpError(400, "mapper_parsing_exception", "failed to parse", {
        caused_by: { type: "not_x_content_exception", reason: "Compressor detection can only be called on some xcontent bytes or compressed xcontent bytes" },
      });
    }
    const refused = rejection?.(indexName, id, source);
    if (refused && refused.status >= 400) throw new HttpError(refused.status, refused.type, refused.reason);
    const index = autoCreate(indexName);
    const documentId = id ?? generatedId();
    const previous = index.documents.get(documentId);
    if (previous && onlyCreate) {
      throw new HttpError(
        409,
        "version_conflict_engine_exception",
        `[${documentId}]: version conflict, document already exists (current version [${previous.version}])`,
        {
          index_uuid: index.uuid,
          shard: "0",
          index: indexName,
        },
      );
    }
    const stored: StoredDocument = { id: documentId, source, version: (previous?.version ?? 0) + 1, seqNo: index.seqNo++ };
    index.documents.set(documentId, stored);
    return {
      status: previous ? 200 : 201,
      body: {
        _index: indexName,
        _id: documentId,
        _version: stored.version,
        result: previous ? "updated" : "created",
        _shards: shards(),
        _seq_no: stored.seqNo,
        _primary_term: 1,
      },
    };
  }

  function deleteDocument(indexName: string, id: string): { status: number; body: Record<string, unknown> } {
    const index = store.get(indexName);
    const previous = index?.documents.get(id);
    if (index && previous) index.documents.delete(id);
    if (!index) throw new HttpError(404, "index_not_found_exception", `no such index [${indexName}]`, { index: indexName, index_uuid: "_na_" });
    return {
      status: previous ? 200 : 404,
      body: {
        _index: indexName,
        _id: id,
        _version: (previous?.version ?? 0) + 1,
        result: previous ? "deleted" : "not_found",
        _shards: shards(),
        _seq_no: index.seqNo++,
        _primary_term: 1,
      },
    };
  }

  function parseJson(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, "x_content_parse_exception", `Failed to parse request body: ${(error as Error).message}`);
    }
  }

  function bulk(body: string, defaultIndex: string | undefined): Reply {
    const lines = body.split("\n").filter((line) => line.trim() !== "");
    if (lines.length === 0) throw new HttpError(400, "action_request_validation_exception", "Validation Failed: 1: no requests added;");
    const items: Record<string, unknown>[] = [];
    let errors = false;
    const started = Date.now();
    for (let at = 0; at < lines.length; at++) {
      const action = parseJson(lines[at] as string) as Record<string, Record<string, unknown>>;
      const kind = Object.keys(action)[0];
      const meta = kind ? action[kind] : undefined;
      if (!kind || !meta || !["index", "create", "update", "delete"].includes(kind)) {
        throw new HttpError(
          400,
          "illegal_argument_exception",
          `Malformed action/metadata line [${at + 1}], expected one of [create, delete, index, update] but found [${kind ?? ""}]`,
        );
      }
      const indexName = (meta._index as string | undefined) ?? defaultIndex;
      const id = meta._id === undefined ? undefined : String(meta._id);
      let source: unknown;
      if (kind !== "delete") {
        const sourceLine = lines[++at];
        if (sourceLine === undefined) throw new HttpError(400, "illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]");
        source = parseJson(sourceLine);
      }
      let item: { status: number; body: Record<string, unknown> };
      try {
        if (!indexName) throw new HttpError(400, "action_request_validation_exception", "Validation Failed: 1: index is missing;");
        if (kind === "delete") {
          if (id === undefined) throw new HttpError(400, "action_request_validation_exception", "Validation Failed: 1: id is missing;");
          item = store.has(indexName)
            ? deleteDocument(indexName, id)
            : { status: 404, body: { _index: indexName, _id: id, result: "not_found", _shards: shards(), _version: 1 } };
        } else if (kind === "update") {
          if (id === undefined) throw new HttpError(400, "action_request_validation_exception", "Validation Failed: 1: id is missing;");
          const update = source as { doc?: Record<string, unknown>; doc_as_upsert?: boolean; upsert?: Record<string, unknown> };
          const existing = store.get(indexName)?.documents.get(id);
          if (!existing && !update.doc_as_upsert && !update.upsert) {
            throw new HttpError(404, "document_missing_exception", `[${id}]: document missing`, { index: indexName, shard: "0" });
          }
          const merged = existing ? { ...(existing.source as object), ...update.doc } : (update.upsert ?? update.doc);
          item = writeDocument(indexName, id, merged, false);
        } else {
          item = writeDocument(indexName, id, source, kind === "create");
        }
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        item = {
          status: error.status,
          body: { _index: indexName, _id: id ?? null, status: error.status, error: { type: error.type, reason: error.message, ...error.extra } },
        };
      }
      if (item.status >= 400 && !(kind === "delete" && item.status === 404)) errors = true;
      items.push({ [kind]: { ...item.body, status: item.status } });
    }
    return { status: 200, body: { errors, took: Date.now() - started, items } };
  }

  function search(indexPattern: string, query: URLSearchParams, bodyText: string): Reply {
    const names = resolveNames(indexPattern);
    if (names.length === 0 && !indexPattern.includes("*") && indexPattern !== "_all") getIndex(indexPattern);
    const body = (bodyText ? parseJson(bodyText) : {}) as { query?: Record<string, unknown>; size?: number; from?: number };
    if (body.query && !("match_all" in body.query)) {
      throw new HttpError(400, "parsing_exception", `the test server supports only match_all, not [${Object.keys(body.query).join(",")}]`);
    }
    const size = Number(query.get("size") ?? body.size ?? 10);
    const from = Number(query.get("from") ?? body.from ?? 0);
    const hits = names.flatMap((name) =>
      [...(store.get(name)?.documents.values() ?? [])].map((document) => ({ _index: name, _id: document.id, _score: 1, _source: document.source })),
    );
    return {
      status: 200,
      body: {
        took: 0,
        timed_out: false,
        _shards: { total: names.length, successful: names.length, skipped: 0, failed: 0 },
        hits: { total: { value: hits.length, relation: "eq" }, max_score: hits.length ? 1 : null, hits: hits.slice(from, from + size) },
      },
    };
  }

  function resolveNames(expression: string): string[] {
    const patterns = expression === "_all" ? ["*"] : expression.split(",");
    return [...store.keys()].filter((name) => patterns.some((pattern) => globMatch(pattern, name))).sort();
  }

  function route(method: string, segments: string[], query: URLSearchParams, body: string): Reply {
    const [first, second, third] = segments;
    const isRead = method === "GET" || method === "HEAD";
    if (segments.length === 0 && isRead) {
      return {
        status: 200,
        body: {
          name: "s3notify-test",
          cluster_name: "s3notify-test",
          cluster_uuid: "s3notify-test-cluster",
          version: {
            number: version,
            build_flavor: "default",
            build_type: "tar",
            build_hash: "0000000",
            build_date: "2025-01-01T00:00:00.000Z",
            build_snapshot: false,
            lucene_version: "9.12.0",
            minimum_wire_compatibility_version: "7.17.0",
            minimum_index_compatibility_version: "7.0.0",
          },
          tagline: "You Know, for Search",
        },
      };
    }
    if (first === "_bulk" && segments.length === 1 && (method === "POST" || method === "PUT")) return bulk(body, undefined);
    if (first === "_refresh" && segments.length === 1) return { status: 200, body: { _shards: shards() } };
    if (first === "_search" && segments.length === 1) return search("_all", query, body);
    if (first === "_resolve" && second === "index" && third !== undefined && segments.length === 3 && method === "GET") {
      return { status: 200, body: { indices: resolveNames(third).map((name) => ({ name, attributes: ["open"] })), aliases: [], data_streams: [] } };
    }
    if (first === undefined || first.startsWith("_"))
      throw new HttpError(400, "illegal_argument_exception", `request [${method}] is not supported by the test server`);

    if (segments.length === 1) {
      if (method === "HEAD") return { status: store.has(first) ? 200 : 404 };
      if (method === "PUT") {
        if (body) parseJson(body);
        if (store.has(first)) {
          throw new HttpError(400, "resource_already_exists_exception", `index [${first}/${store.get(first)?.uuid}] already exists`, {
            index_uuid: store.get(first)?.uuid,
            index: first,
          });
        }
        createIndex(first);
        return { status: 200, body: { acknowledged: true, shards_acknowledged: true, index: first } };
      }
      if (method === "DELETE") {
        const names = resolveNames(first);
        if (names.length === 0) getIndex(first);
        for (const name of names) store.delete(name);
        return { status: 200, body: { acknowledged: true } };
      }
      if (method === "GET") {
        getIndex(first);
        return {
          status: 200,
          body: {
            [first]: {
              aliases: {},
              mappings: {},
              settings: { index: { number_of_shards: "1", number_of_replicas: "1", uuid: store.get(first)?.uuid, provided_name: first } },
            },
          },
        };
      }
    }
    if (segments.length === 2) {
      if (second === "_bulk" && (method === "POST" || method === "PUT")) return bulk(body, first);
      if (second === "_refresh" && (method === "POST" || method === "GET")) {
        getIndex(first);
        return { status: 200, body: { _shards: shards() } };
      }
      if (second === "_search" && (method === "POST" || method === "GET")) return search(first, query, body);
      if (second === "_count" && (method === "POST" || method === "GET")) {
        return { status: 200, body: { count: resolveNames(first).reduce((sum, name) => sum + (store.get(name)?.documents.size ?? 0), 0), _shards: shards() } };
      }
      if (second === "_doc" && method === "POST") return writeDocument(first, undefined, parseJson(body), false);
    }
    if (segments.length === 3 && third !== undefined && third !== "") {
      if (second === "_doc" || second === "_create") {
        if ((method === "PUT" || method === "POST") && second === "_create") return writeDocument(first, third, parseJson(body), true);
        if (method === "PUT" || method === "POST") return writeDocument(first, third, parseJson(body), query.get("op_type") === "create");
        if (second === "_doc" && isRead) {
          const document = getIndex(first).documents.get(third);
          if (method === "HEAD") return { status: document ? 200 : 404 };
          if (!document) return { status: 404, body: { _index: first, _id: third, found: false } };
          return {
            status: 200,
            body: { _index: first, _id: third, _version: document.version, _seq_no: document.seqNo, _primary_term: 1, found: true, _source: document.source },
          };
        }
        if (second === "_doc" && method === "DELETE") return deleteDocument(first, third);
      }
      if (second === "_source" && method === "GET") {
        const document = getIndex(first).documents.get(third);
        if (!document) throw new HttpError(404, "resource_not_found_exception", `Document not found [${first}]/[${third}]`);
        return { status: 200, body: document.source };
      }
    }
    throw new HttpError(405, "illegal_argument_exception", `Incorrect HTTP method for uri [/${segments.join("/")}] and method [${method}]`);
  }

  function authorized(request: IncomingMessage): boolean {
    if (!expectedAuthorization) return true;
    const given = Buffer.from(request.headers.authorization ?? "");
    return given.length === expectedAuthorization.length && timingSafeEqual(given, expectedAuthorization);
  }

  function send(request: IncomingMessage, response: ServerResponse, reply: Reply): void {
    const accept = `${request.headers.accept ?? ""}`;
    const contentType = accept.includes("vnd.elasticsearch+json") ? "application/vnd.elasticsearch+json;compatible-with=8" : "application/json";
    const text = reply.body === undefined ? "" : JSON.stringify(reply.body);
    response.writeHead(reply.status, {
      "x-elastic-product": "Elasticsearch",
      "content-type": `${contentType}; charset=UTF-8`,
      "content-length": String(Buffer.byteLength(text)),
      ...reply.headers,
    });
    response.end(request.method === "HEAD" ? undefined : text);
  }

  function handle(request: IncomingMessage, response: ServerResponse, body: string): void {
    const method = request.method ?? "GET";
    requests.push({ method, url: request.url ?? "/", headers: { ...request.headers }, body });
    const url = new URL(request.url ?? "/", "http://localhost");
    // Split before decoding: an id may hold an encoded `/`.
    let segments: string[];
    try {
      segments = url.pathname
        .split("/")
        .filter((segment) => segment !== "")
        .map((segment) => decodeURIComponent(segment));
    } catch {
      send(request, response, { status: 400, body: elasticsearchErrorBody(400, "illegal_argument_exception", `invalid escape in path [${url.pathname}]`) });
      return;
    }
    if (!authorized(request)) {
      const reason = request.headers.authorization
        ? `unable to authenticate user for REST request [${url.pathname}]`
        : `missing authentication credentials for REST request [${url.pathname}]`;
      const challenge = 'Basic realm="security" charset="UTF-8"';
      send(request, response, {
        status: 401,
        body: elasticsearchErrorBody(401, "security_exception", reason, { header: { "WWW-Authenticate": challenge } }),
        headers: { "www-authenticate": challenge },
      });
      return;
    }
    if (failures.remaining > 0) {
      failures.remaining--;
      const status = failures.status;
      send(request, response, { status, body: elasticsearchErrorBody(status, ERROR_TYPES[status] ?? "exception", `injected failure (status ${status})`) });
      return;
    }
    try {
      send(request, response, route(method, segments, url.searchParams, body));
    } catch (error) {
      if (error instanceof HttpError) {
        send(request, response, { status: error.status, body: elasticsearchErrorBody(error.status, error.type, error.message, error.extra) });
      } else {
        send(request, response, { status: 500, body: elasticsearchErrorBody(500, "exception", (error as Error).message) });
      }
    }
  }

  async function listen(): Promise<void> {
    const listener: RequestListener = (request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        let body = Buffer.concat(chunks);
        // Real nodes accept compressed request bodies (the clients' `compression` option).
        const encoding = `${request.headers["content-encoding"] ?? ""}`.toLowerCase();
        try {
          if (encoding === "gzip") body = gunzipSync(body);
          else if (encoding === "deflate") body = inflateSync(body);
        } catch {
          send(request, response, { status: 400, body: elasticsearchErrorBody(400, "illegal_argument_exception", `cannot decode a ${encoding} request body`) });
          return;
        }
        handle(request, response, body.toString("utf8"));
      });
    };
    const next = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createServer(listener);
    await new Promise<void>((resolve, reject) => {
      next.once("error", reject);
      next.listen(port, "127.0.0.1", () => {
        next.off("error", reject);
        resolve();
      });
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  }

  async function stop(): Promise<void> {
    const current = server;
    server = undefined;
    if (!current) return;
    const closed = new Promise<void>((resolve) => current.close(() => resolve()));
    current.closeAllConnections();
    await closed;
  }

  await listen();
  return {
    get url() {
      return `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    requests,
    indices: () => [...store.keys()].sort(),
    documents: (index) => {
      const state = store.get(index);
      return state ? [...state.documents.values()].sort((left, right) => left.seqNo - right.seqNo) : undefined;
    },
    failNext: (count, status = 503) => {
      failures = { remaining: count, status };
    },
    rejectDocuments: (next) => {
      rejection = next;
    },
    stop,
    start: async () => {
      if (!server) await listen();
    },
    close: stop,
  };
}
