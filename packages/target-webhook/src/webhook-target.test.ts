import { createServer, type Socket } from "node:net";
import { buildEventRecord, ConfigError, type EventRecord, logEnvelopeJson, type RawTargetConfig, S3NotifyError } from "@s3notify/core";
import { makeTestCertificates, type TestCertificates } from "@s3notify/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HttpRecorder } from "./http-recorder.fixture.js";
import webhookTargetPlugin, { authorizationHeader, parseWebhookConfig, WEBHOOK_KEYS, WebhookTarget } from "./index.js";
import type { WebhookConfig, WebhookTargetOptions } from "./types.js";

const context = { targetId: "_", subsystem: "notify_webhook" };
const targetId = { id: "1", type: "webhook" };
const TOKEN = "s3cr3t-t0ken-value";

function raw(values: Record<string, string>): RawTargetConfig {
  return { endpoint: "", auth_token: "", client_cert: "", client_key: "", ...values };
}

function record(key: string, eventName: EventRecord["eventName"] = "s3:ObjectCreated:Put"): EventRecord {
  return buildEventRecord({ eventName, bucket: "photos", key, size: 12, eTag: "abc", request: { principalId: "minio", sourceIp: "127.0.0.1" } });
}

function target(endpoint: string, values: Record<string, string> = {}, options: WebhookTargetOptions = {}): WebhookTarget {
  const config: WebhookConfig = parseWebhookConfig(raw({ endpoint, ...values }), context);
  return new WebhookTarget(config, { targetId }, options);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("parseWebhookConfig", () => {
  function configError(values: Record<string, string>): ConfigError {
    try {
      parseWebhookConfig(raw(values), context);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error("expected a ConfigError");
  }

  it("refuses an empty endpoint", () => {
    const error = configError({ endpoint: "" });
    expect(error.key).toBe("endpoint");
    expect(error.message).toContain("endpoint empty");
  });

  it("refuses a scheme other than http(s)", () => {
    const error = configError({ endpoint: "ftp://example.com/x" });
    expect(error.key).toBe("endpoint");
    expect(error.message).toContain("unexpected scheme found ftp");
  });

  it("wants client_cert and client_key as a pair, naming the missing one", () => {
    expect(configError({ endpoint: "https://h/", client_cert: "/tmp/c.pem" }).key).toBe("client_key");
    expect(configError({ endpoint: "https://h/", client_key: "/tmp/k.pem" }).key).toBe("client_cert");
    expect(configError({ endpoint: "https://h/", client_key: "/tmp/k.pem" }).message).toContain("cert and key must be specified as a pair");
  });

  it("never puts the token in an error", () => {
    const error = configError({ endpoint: "gopher://h/", auth_token: TOKEN });
    expect(error.message).not.toContain(TOKEN);
  });

  it("declares the MinIO keys, auth_token secret, endpoint required", () => {
    expect(WEBHOOK_KEYS.map((key) => key.name)).toEqual(["endpoint", "auth_token", "client_cert", "client_key"]);
    expect(WEBHOOK_KEYS.find((key) => key.name === "auth_token")?.secret).toBe(true);
    expect(WEBHOOK_KEYS.find((key) => key.name === "endpoint")?.required).toBe(true);
    expect(webhookTargetPlugin.type).toBe("webhook");
    expect(webhookTargetPlugin.arnType).toBe("webhook");
  });
});

describe("authorizationHeader (MinIO's rule)", () => {
  it.each([
    ["", undefined],
    ["abc", "Bearer abc"],
    ["Token abc", "Token abc"],
    ["Bearer xyz", "Bearer xyz"],
    ["a b c", undefined],
  ])("%j → %j", (token, header) => {
    expect(authorizationHeader(token)).toBe(header);
  });
});

describe("WebhookTarget against a real HTTP server", () => {
  const recorder = new HttpRecorder();
  const targets: WebhookTarget[] = [];
  const make = (...args: Parameters<typeof target>): WebhookTarget => {
    const made = target(...args);
    targets.push(made);
    return made;
  };

  beforeAll(() => recorder.start());
  afterAll(() => recorder.stop());
  afterEach(async () => {
    recorder.responder = () => 200;
    recorder.requests.length = 0;
    recorder.accepted.length = 0;
    await Promise.all(targets.splice(0).map((made) => made.close()));
  });

  it("POSTs the log envelope byte for byte, one request per record, on one keep-alive connection, in order", async () => {
    const webhook = make(recorder.url);
    await webhook.open();
    const records = [record("a.jpg"), record("dir/b c.jpg"), record("ü/ñ.txt", "s3:ObjectRemoved:Delete")];
    await webhook.send(records);
    expect(recorder.requests).toHaveLength(3);
    recorder.requests.forEach((request, index) => {
      expect(request.method).toBe("POST");
      expect(request.url).toBe("/events?source=test");
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers.authorization).toBeUndefined();
      expect(request.body.equals(Buffer.from(logEnvelopeJson(records[index] as EventRecord)))).toBe(true);
    });
    expect(new Set(recorder.requests.map((request) => request.remotePort)).size).toBe(1);
  });

  it.each([
    [TOKEN, `Bearer ${TOKEN}`],
    [`Token ${TOKEN}`, `Token ${TOKEN}`],
    [`a b ${TOKEN}`, undefined],
  ])("auth_token %j sends Authorization %j", async (token, header) => {
    const webhook = make(recorder.url, { auth_token: token });
    await webhook.send([record("x")]);
    expect(recorder.requests[0]?.headers.authorization).toBe(header);
  });

  it("maps 403 and other statuses to MinIO's messages without the token; 413 is permanent", async () => {
    const webhook = make(recorder.url, { auth_token: TOKEN });
    recorder.responder = () => 403;
    const forbidden = await rejection(webhook.send([record("x")]));
    expect(forbidden.message).toBe(`${recorder.url} returned '403 Forbidden', please check if your auth token is correctly set`);
    expect(S3NotifyError.isInstance(forbidden) && forbidden.retryable).toBe(true);

    recorder.responder = () => 500;
    const failed = await rejection(webhook.send([record("x")]));
    expect(failed.message).toBe(`${recorder.url} returned '500 Internal Server Error', please check your endpoint configuration`);
    expect(S3NotifyError.isInstance(failed) && failed.retryable).toBe(true);

    recorder.responder = () => 413;
    const tooLarge = await rejection(webhook.send([record("x")]));
    expect(S3NotifyError.isInstance(tooLarge) && tooLarge.retryable).toBe(false);

    for (const error of [forbidden, failed, tooLarge]) {
      expect(`${error.message} ${String(error.stack)} ${JSON.stringify(error)}`).not.toContain(TOKEN);
    }
  });

  it("sends again once on a fresh connection when a reused keep-alive connection was closed by the server", async () => {
    const webhook = make(recorder.url);
    await webhook.send([record("first")]);
    let hungUp = 0;
    // The second request arrives on the reused connection: hang up once, as a server closing it while idle would.
    recorder.responder = () => (hungUp++ === 0 ? 0 : 200);
    await webhook.send([record("second")]);
    expect(hungUp).toBe(2);
    expect(recorder.accepted.map((request) => JSON.parse(request.body.toString()).Key)).toEqual(["photos/first", "photos/second"]);
    expect(recorder.accepted[0]?.remotePort).not.toBe(recorder.accepted[1]?.remotePort);
  });

  it("does not send again when a fresh connection is hung up on", async () => {
    const webhook = make(recorder.url);
    recorder.responder = () => 0;
    const error = await rejection(webhook.send([record("x")]));
    expect(S3NotifyError.isInstance(error) && error.retryable).toBe(true);
    expect(recorder.requests).toHaveLength(1);
  });

  it("reports a partial batch with the delivered indexes", async () => {
    const webhook = make(recorder.url);
    let count = 0;
    recorder.responder = () => (++count === 3 ? 500 : 200);
    const error = await rejection(webhook.send([record("1"), record("2"), record("3"), record("4")]));
    expect((error as unknown as { delivered: number[] }).delivered).toEqual([0, 1]);
    expect(recorder.requests).toHaveLength(3);
  });

  it("fails retryably while the endpoint is down, then delivers once it is back on the same port", async () => {
    const webhook = make(recorder.url);
    await webhook.send([record("before")]);
    await recorder.stop();
    expect(await webhook.isActive()).toBe(false);
    const down = await rejection(webhook.send([record("down")]));
    expect(S3NotifyError.isInstance(down) && down.retryable).toBe(true);
    await recorder.start();
    expect(await webhook.isActive()).toBe(true);
    await webhook.send([record("after")]);
    expect(recorder.accepted.map((request) => JSON.parse(request.body.toString()).Key)).toEqual(["photos/before", "photos/after"]);
  });

  it("waits for a slow endpoint, and gives up after the response-header timeout", async () => {
    const webhook = make(recorder.url);
    recorder.responder = () => new Promise((resolve) => setTimeout(() => resolve(200), 400));
    const started = Date.now();
    await webhook.send([record("slow")]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);

    const impatient = make(recorder.url, {}, { responseHeaderTimeoutMs: 200 });
    recorder.responder = () => new Promise((resolve) => setTimeout(() => resolve(200), 1_500));
    const timedOut = await rejection(impatient.send([record("too-slow")]));
    expect(timedOut.message).toContain("timed out");
    expect(S3NotifyError.isInstance(timedOut) && timedOut.retryable).toBe(true);
    recorder.responder = () => 200;
    await impatient.send([record("next")]);
    expect(recorder.requests.at(-1)?.body.toString()).toContain("photos/next");
  });
});

describe("WebhookTarget timeouts", () => {
  it("gives up on a TLS handshake that never completes, and closes the connection", async () => {
    // Accepts TCP and then says nothing: the client's ClientHello is never answered.
    const sockets = new Set<Socket>();
    const closed: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => closed.push(socket));
      socket.resume(); // read (and ignore) the ClientHello, so that the client's FIN is seen
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const webhook = target(`https://127.0.0.1:${port}/`, {}, { tlsHandshakeTimeoutMs: 300 });
    try {
      const started = Date.now();
      const error = await rejection(webhook.send([record("x")]));
      expect(error.message).toBe(`https://127.0.0.1:${port}/: TLS handshake timed out after 300 ms`);
      expect(S3NotifyError.isInstance(error) && error.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
      await expect.poll(() => closed.length, { timeout: 5_000 }).toBe(1);
    } finally {
      await webhook.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("WebhookTarget with mTLS", () => {
  let certs: TestCertificates<"webhook-client">;
  let recorder: HttpRecorder;

  beforeAll(async () => {
    certs = await makeTestCertificates({ clients: ["webhook-client"], keyType: "ec" });
    recorder = new HttpRecorder({
      key: certs.server.key,
      cert: certs.server.cert,
      ca: certs.ca,
      requestCert: true,
      rejectUnauthorized: true,
    });
    await recorder.start();
  });

  afterAll(async () => {
    await recorder?.stop();
    await certs?.dispose();
  });

  it("presents the client certificate from client_cert/client_key", async () => {
    const client = certs.clients["webhook-client"];
    const webhook = target(recorder.url, { client_cert: client.certFile, client_key: client.keyFile }, { ca: certs.ca });
    try {
      await webhook.send([record("tls.txt")]);
      expect(recorder.accepted).toHaveLength(1);
      expect(recorder.accepted[0]?.clientCommonName).toBe("webhook-client");
    } finally {
      await webhook.close();
    }
  });

  it("fails retryably without a client certificate", async () => {
    const webhook = target(recorder.url, {}, { ca: certs.ca });
    try {
      const error = await rejection(webhook.send([record("no-cert.txt")]));
      expect(S3NotifyError.isInstance(error) && error.retryable).toBe(true);
    } finally {
      await webhook.close();
    }
  });

  it("refuses a server certificate it does not trust", async () => {
    const client = certs.clients["webhook-client"];
    const webhook = target(recorder.url, { client_cert: client.certFile, client_key: client.keyFile });
    try {
      const error = await rejection(webhook.send([record("untrusted.txt")]));
      expect(error.message).toMatch(/certificate/i);
    } finally {
      await webhook.close();
    }
  });
});
