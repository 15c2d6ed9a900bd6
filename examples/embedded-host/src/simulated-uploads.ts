import { createHash } from "node:crypto";
import type { EventInput, EventName } from "@s3notify/core";

/** The bucket the simulated app stores its users' uploads in. */
export const UPLOADS_BUCKET = "uploads";

interface Upload {
  readonly eventName: EventName;
  readonly key: string;
  readonly body: string;
  readonly contentType: string;
}

/** What the app does: three images, a text note and a PDF are stored, then one image is deleted. */
const UPLOADS: readonly Upload[] = [
  { eventName: "s3:ObjectCreated:Put", key: "photos/cat.jpg", body: "(jpeg bytes of a cat)", contentType: "image/jpeg" },
  { eventName: "s3:ObjectCreated:Put", key: "notes/todo.txt", body: "buy milk\n", contentType: "text/plain" },
  { eventName: "s3:ObjectCreated:CompleteMultipartUpload", key: "photos/holiday 2026.jpg", body: "(a large jpeg)", contentType: "image/jpeg" },
  { eventName: "s3:ObjectCreated:Put", key: "reports/q1.pdf", body: "%PDF-1.7", contentType: "application/pdf" },
  { eventName: "s3:ObjectRemoved:Delete", key: "photos/cat.jpg", body: "", contentType: "" },
];

/** The events a storage layer would publish for UPLOADS: what the app knows, core builds MinIO's record from it. */
export function simulatedUploads(): EventInput[] {
  return UPLOADS.map((upload, index): EventInput => {
    const removed = upload.eventName.startsWith("s3:ObjectRemoved:");
    return {
      eventName: upload.eventName,
      bucket: UPLOADS_BUCKET,
      key: upload.key,
      ...(removed
        ? {}
        : {
            size: Buffer.byteLength(upload.body),
            eTag: createHash("md5").update(upload.body).digest("hex"),
            contentType: upload.contentType,
            userMetadata: { "X-Amz-Meta-Uploaded-By": "alice" },
          }),
      request: {
        principalId: "alice",
        sourceIp: "127.0.0.1",
        userAgent: "embedded-host/0.1.0",
        requestId: `EMBEDDEDHOST${String(index + 1).padStart(4, "0")}`,
      },
    };
  });
}
