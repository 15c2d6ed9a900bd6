import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { EventRecord } from "@s3notify/core";

export interface ReceivedEvent {
  readonly EventName: string;
  readonly Key: string;
  readonly Records: [EventRecord];
}

/** A node:http webhook endpoint that keeps every JSON body it receives. */
export async function startWebhookReceiver(): Promise<{
  url: string;
  events: ReceivedEvent[];
  authorization: (string | undefined)[];
  waitFor(predicate: (events: ReceivedEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}> {
  const events: ReceivedEvent[] = [];
  const authorization: (string | undefined)[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (text) {
        events.push(JSON.parse(text) as ReceivedEvent);
        authorization.push(request.headers.authorization);
        for (const wake of waiters) wake();
      }
      response.statusCode = 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/events`,
    events,
    authorization,
    waitFor(predicate, timeoutMs = 10_000) {
      if (predicate(events)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`webhook condition not met within ${timeoutMs} ms; got ${events.map((event) => event.EventName).join(", ")}`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(events)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
