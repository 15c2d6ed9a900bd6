import { type EventName, expandEventName, newPattern, parseEventName, validateFilterValue } from "@s3notify/core";
import { s3Error } from "../s3/s3-errors.js";
import { queryValue, queryValues, type S3Call } from "./s3-context.js";

/** ListenBucketNotification / ListenNotification (facts §8): newline-delimited records until the client leaves. */
export async function listenNotification(call: S3Call, bucket: string | undefined): Promise<void> {
  if (bucket !== undefined) await call.host.store.assertBucket(bucket);
  const events = new Set<EventName>();
  for (const text of queryValues(call.query, "events")) for (const name of expandEventName(parseEventName(text))) events.add(name);
  const prefixes = queryValues(call.query, "prefix");
  const suffixes = queryValues(call.query, "suffix");
  if (prefixes.length > 1) throw s3Error("InvalidArgument", "Cannot specify more than one prefix rule in a filter.");
  if (suffixes.length > 1) throw s3Error("InvalidArgument", "Cannot specify more than one suffix rule in a filter.");
  const prefix = prefixes[0] ?? "";
  const suffix = suffixes[0] ?? "";
  validateFilterValue(prefix);
  validateFilterValue(suffix);
  const pingText = queryValue(call.query, "ping");
  let pingSeconds: number | undefined;
  if (pingText !== undefined) {
    pingSeconds = Number(pingText);
    if (!/^\d+$/.test(pingText) || pingSeconds < 1) throw s3Error("AuthorizationQueryParametersError", "ping must be an integer number of seconds, at least 1");
  }

  const response = call.response;
  response.statusCode = 200;
  response.setHeader("Content-Type", "text/event-stream");
  response.setHeader("Cache-Control", "no-cache");
  response.setHeader("X-Accel-Buffering", "no");
  response.flushHeaders();
  call.request.socket.setNoDelay(true);

  const remove = call.host.listen.add({ bucket, events, pattern: newPattern(prefix, suffix), response });
  const timer =
    pingSeconds !== undefined ? setInterval(() => response.write('{"Records":null}\n'), pingSeconds * 1000) : setInterval(() => response.write(" "), 500);
  await new Promise<void>((resolve) => {
    const finish = () => {
      clearInterval(timer);
      remove();
      resolve();
    };
    response.once("close", finish);
    call.request.once("close", () => {
      if (!response.writableEnded) response.end();
    });
  });
}
