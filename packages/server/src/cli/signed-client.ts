import { createHash } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Alias } from "./alias-store.js";

/** An S3 error answer (or any non-2xx) as one line: `Code: Message`. */
export class RemoteError extends Error {
  constructor(
    readonly status: number,
    readonly remoteCode: string,
    message: string,
  ) {
    super(`${remoteCode}: ${message}`);
  }
}

export interface SignedCall {
  readonly method: string;
  /** Unencoded path segments are encoded here: `["images"]` → `/images`. */
  readonly path: string;
  readonly query?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  readonly contentType?: string;
}

function encodePath(path: string): string {
  return path
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`))
    .join("/");
}

function wireQuery(query: Record<string, string | string[]>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query))
    for (const item of Array.isArray(value) ? value : [value]) parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(item)}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

/** Signing region per server URL, learnt from a server that has a region configured. */
const learntRegions = new Map<string, string>();

/** Sends one SigV4-signed request (signed by @smithy/signature-v4) to an alias's server. */
export async function signedFetch(alias: Alias, call: SignedCall, signal?: AbortSignal): Promise<Response> {
  try {
    return await signedFetchOnce(alias, call, signal);
  } catch (error) {
    // A server with a region refuses other signing regions and names its own: sign again with it, once.
    const expected =
      error instanceof RemoteError && error.remoteCode === "AuthorizationHeaderMalformed" ? /expecting '([^']+)'/.exec(error.message)?.[1] : undefined;
    if (!expected || learntRegions.get(alias.url) === expected) throw error;
    learntRegions.set(alias.url, expected);
    return signedFetchOnce(alias, call, signal);
  }
}

async function signedFetchOnce(alias: Alias, call: SignedCall, signal?: AbortSignal): Promise<Response> {
  const base = new URL(alias.url);
  const body = call.body ?? "";
  const path = encodePath(call.path);
  const headers: Record<string, string> = { host: base.host, "x-amz-content-sha256": createHash("sha256").update(body).digest("hex") };
  if (call.contentType) headers["content-type"] = call.contentType;
  const signer = new SignatureV4({
    credentials: { accessKeyId: alias.accessKey, secretAccessKey: alias.secretKey },
    region: learntRegions.get(alias.url) ?? "us-east-1",
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: call.method,
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port ? Number(base.port) : undefined,
      path,
      query: call.query ?? {},
      headers,
      body,
    }),
  );
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name.toLowerCase() !== "host") sent[name] = String(value);
  let response: Response;
  try {
    response = await fetch(`${base.origin}${path}${wireQuery(call.query ?? {})}`, {
      method: call.method,
      headers: sent,
      ...(call.body !== undefined ? { body: typeof body === "string" ? body : new Uint8Array(body) } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach ${base.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  if (!response.ok) {
    const text = await response.text();
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? safeJson(text)?.Code ?? `HTTP ${response.status}`;
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? safeJson(text)?.Message ?? (response.statusText || "request failed");
    throw new RemoteError(response.status, code, decodeXmlEntities(message));
  }
  return response;
}

function safeJson(text: string): { Code?: string; Message?: string } | undefined {
  try {
    return JSON.parse(text) as { Code?: string; Message?: string };
  } catch {
    return undefined;
  }
}

function decodeXmlEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
