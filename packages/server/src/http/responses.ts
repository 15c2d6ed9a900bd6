import type { ServerResponse } from "node:http";
import { renderXml } from "../s3/xml.js";

export function sendXml(response: ServerResponse, status: number, root: string, body: Record<string, unknown>): void {
  const xml = renderXml(root, body);
  response.statusCode = status;
  response.setHeader("Content-Type", "application/xml");
  response.setHeader("Content-Length", Buffer.byteLength(xml));
  response.end(xml);
}

export function sendEmpty(response: ServerResponse, status: number): void {
  response.statusCode = status;
  if (status !== 204) response.setHeader("Content-Length", 0);
  response.end();
}

/** S3's URI encoding for `encoding-type=url` listings (keeps `/`). */
export function s3UrlEncode(text: string): string {
  return text.replace(/[^A-Za-z0-9\-._~/]/g, (character) =>
    [...Buffer.from(character, "utf8")].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  );
}
