import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventInput } from "@s3notify/core";
import { ListenHub } from "../events/listen-hub.js";
import type { NotificationService } from "../http/s3-context.js";
import { createS3Handler } from "../http/s3-handler.js";
import { FileObjectStore } from "../storage/file-object-store.js";

export const TEST_CREDENTIALS = { accessKey: "test-access", secretKey: "test-secret-key-123" };

/** Records events instead of routing them; keeps rules as raw XML. */
export class RecordingNotifications implements NotificationService {
  readonly events: EventInput[] = [];
  private readonly rules = new Map<string, string>();
  async publish(input: EventInput): Promise<void> {
    this.events.push(input);
  }
  async putBucketNotification(bucket: string, xml: string): Promise<void> {
    this.rules.set(bucket, xml);
  }
  getBucketNotification(bucket: string): string {
    return this.rules.get(bucket) ?? '<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></NotificationConfiguration>';
  }
  async removeBucket(bucket: string): Promise<void> {
    this.rules.delete(bucket);
  }
}

/** The S3 layer alone on a free loopback port, with a throw-away data dir. */
export async function startS3TestHost(): Promise<{
  url: string;
  dataDir: string;
  store: FileObjectStore;
  notifications: RecordingNotifications;
  close(): Promise<void>;
}> {
  const dataDir = await mkdtemp(join(tmpdir(), "s3notify-s3-"));
  const store = new FileObjectStore(dataDir);
  await store.init();
  const notifications = new RecordingNotifications();
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  let nodeName = "";
  const handler = createS3Handler({
    store,
    notifications,
    listen: new ListenHub(),
    region: "",
    logger: silent,
    credentials: TEST_CREDENTIALS,
    deploymentId: "00000000-0000-4000-8000-000000000000",
    originEndpoint: () => `http://${nodeName}`,
    nodeName: () => nodeName,
  });
  const server = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  nodeName = `127.0.0.1:${port}`;
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    store,
    notifications,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
