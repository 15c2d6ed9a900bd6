import { ConfigError, S3NotifyError } from "@s3notify/core";
import { readSmallBody } from "../http/request-body.js";
import type { AdminCall } from "../http/s3-handler.js";
import { s3Error } from "../s3/s3-errors.js";

export interface AdminOperations {
  /** The notify config as JSON, secrets redacted. */
  getConfig(): string;
  /** Validates and applies a new config (JSON or KV text); throws ConfigError, changing nothing. */
  setConfig(text: string): Promise<{ arns: string[] }>;
  stats(): unknown;
}

function sendJson(call: AdminCall, status: number, body: string): void {
  call.response.statusCode = status;
  call.response.setHeader("Content-Type", "application/json");
  call.response.setHeader("Content-Length", Buffer.byteLength(body));
  call.response.end(body);
}

/**
 * The host's admin API, signed with the root credentials like every S3 call:
 * `GET|PUT /s3notify/admin/config` (also under `/minio/admin/v3/s3notify/config`) and `GET .../stats`.
 */
export function createAdminHandler(operations: AdminOperations): (call: AdminCall) => Promise<void> {
  return async (call) => {
    const path = call.path.replace(/^\/minio\/admin\/v3\/s3notify\//, "/s3notify/admin/");
    const method = call.request.method ?? "GET";
    if (path === "/s3notify/admin/config" && method === "GET") return sendJson(call, 200, operations.getConfig());
    if (path === "/s3notify/admin/config" && method === "PUT") {
      const text = (await readSmallBody(call.request, call.auth, 1024 * 1024)).toString("utf8");
      try {
        const { arns } = await operations.setConfig(text);
        return sendJson(call, 200, `${JSON.stringify({ status: "success", arns })}\n`);
      } catch (error) {
        if (error instanceof ConfigError || (S3NotifyError.isInstance(error) && "subsystem" in error)) {
          // A collected error (NotifyConfigError) lists each problem; report them on one line.
          const inner = (error as { errors?: readonly ConfigError[] }).errors;
          const errors = inner && inner.length > 0 ? inner : [error as ConfigError];
          const first = errors[0] as ConfigError;
          const message = errors.map((each) => each.message).join("; ");
          return sendJson(
            call,
            400,
            `${JSON.stringify({ Code: "XMinioAdminConfigError", Message: message, subsystem: first.subsystem, target: first.targetId ?? null, key: first.key ?? null })}\n`,
          );
        }
        if (error instanceof SyntaxError || (S3NotifyError.isInstance(error) && !("s3Code" in error))) {
          return sendJson(
            call,
            400,
            `${JSON.stringify({ Code: "XMinioAdminConfigBadJSON", Message: error instanceof Error ? error.message : String(error) })}\n`,
          );
        }
        throw error;
      }
    }
    if (path === "/s3notify/admin/stats" && method === "GET") return sendJson(call, 200, `${JSON.stringify(operations.stats(), null, 2)}\n`);
    throw s3Error("MethodNotAllowed", "Unknown admin API.");
  };
}
