import { readdir } from "node:fs/promises";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3TestHost, TEST_CREDENTIALS } from "../testing/s3-test-host.js";
import { presignedPath, sendRaw, signedRequest, streamingSignedPut } from "../testing/signed-request.js";

let host: Awaited<ReturnType<typeof startS3TestHost>>;

beforeAll(async () => {
  host = await startS3TestHost();
  const made = await signedRequest({ url: host.url, method: "PUT", path: "/vault", credentials: TEST_CREDENTIALS });
  expect(made.status).toBe(200);
  const put = await signedRequest({ url: host.url, method: "PUT", path: "/vault/secret.txt", body: "original", credentials: TEST_CREDENTIALS });
  expect(put.status).toBe(200);
});
afterAll(async () => {
  await host?.close();
});

function code(body: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}

async function content(key: string): Promise<string> {
  const response = await signedRequest({ url: host.url, method: "GET", path: `/vault/${key}`, credentials: TEST_CREDENTIALS });
  return response.body;
}

describe("authentication (SigV4 from @smithy/signature-v4, raw node:http requests)", () => {
  it("refuses an unsigned request with AccessDenied as S3 XML with Resource and RequestId, and emits nothing", async () => {
    const before = host.notifications.events.length;
    const response = await sendRaw(host.url, "GET", "/vault/secret.txt", {});
    expect(response.status).toBe(403);
    expect(code(response.body)).toBe("AccessDenied");
    expect(response.body).toContain("<Resource>/vault/secret.txt</Resource>");
    expect(response.body).toMatch(/<RequestId>[0-9A-F]+<\/RequestId>/);
    expect(response.headers["x-amz-request-id"]).toMatch(/^[0-9A-F]+$/);
    expect(host.notifications.events.length).toBe(before);
  });

  it("refuses a wrong secret (SignatureDoesNotMatch), an unknown key (InvalidAccessKeyId) and a skewed clock (RequestTimeTooSkewed)", async () => {
    const before = host.notifications.events.length;
    const wrongSecret = await signedRequest({
      url: host.url,
      method: "PUT",
      path: "/vault/secret.txt",
      body: "evil",
      credentials: { accessKey: TEST_CREDENTIALS.accessKey, secretKey: "wrong-secret" },
    });
    expect([wrongSecret.status, code(wrongSecret.body)]).toEqual([403, "SignatureDoesNotMatch"]);
    const unknownKey = await signedRequest({ url: host.url, method: "GET", path: "/vault/secret.txt", credentials: { accessKey: "nobody", secretKey: "x" } });
    expect([unknownKey.status, code(unknownKey.body)]).toEqual([403, "InvalidAccessKeyId"]);
    const skewed = await signedRequest({
      url: host.url,
      method: "GET",
      path: "/vault/secret.txt",
      credentials: TEST_CREDENTIALS,
      signingDate: new Date(Date.now() - 20 * 60 * 1000),
    });
    expect([skewed.status, code(skewed.body)]).toEqual([403, "RequestTimeTooSkewed"]);
    const malformed = await sendRaw(host.url, "GET", "/vault/secret.txt", {
      authorization: "AWS4-HMAC-SHA256 Credential=broken",
      "x-amz-date": "20240101T000000Z",
    });
    expect([malformed.status, code(malformed.body)]).toEqual([400, "AuthorizationHeaderMalformed"]);
    expect(await content("secret.txt")).toBe("original");
    expect(host.notifications.events.length).toBe(before + 1); // only the GET above
  });

  it("refuses a body that does not match the signed x-amz-content-sha256, keeping the old object", async () => {
    const response = await signedRequest({
      url: host.url,
      method: "PUT",
      path: "/vault/secret.txt",
      body: "tampered",
      contentSha256: "a".repeat(64),
      credentials: TEST_CREDENTIALS,
    });
    expect([response.status, code(response.body)]).toEqual([400, "XAmzContentSHA256Mismatch"]);
    expect(await content("secret.txt")).toBe("original");
  });

  it("accepts UNSIGNED-PAYLOAD", async () => {
    const response = await signedRequest({
      url: host.url,
      method: "PUT",
      path: "/vault/unsigned.txt",
      body: "free",
      contentSha256: "UNSIGNED-PAYLOAD",
      credentials: TEST_CREDENTIALS,
    });
    expect(response.status).toBe(200);
    expect(await content("unsigned.txt")).toBe("free");
  });

  it("serves a presigned URL and refuses it once expired (AccessDenied, Request has expired)", async () => {
    const fresh = await presignedPath({ url: host.url, method: "GET", path: "/vault/secret.txt", credentials: TEST_CREDENTIALS, expiresIn: 60 });
    const ok = await sendRaw(host.url, "GET", fresh, {});
    expect([ok.status, ok.body]).toEqual([200, "original"]);
    const before = host.notifications.events.length;
    const old = await presignedPath({
      url: host.url,
      method: "GET",
      path: "/vault/secret.txt",
      credentials: TEST_CREDENTIALS,
      expiresIn: 60,
      signingDate: new Date(Date.now() - 10 * 60 * 1000),
    });
    const expired = await sendRaw(host.url, "GET", old, {});
    expect([expired.status, code(expired.body)]).toEqual([403, "AccessDenied"]);
    expect(expired.body).toContain("Request has expired");
    const forged = await sendRaw(host.url, "GET", fresh.replace("/vault/secret.txt", "/vault/unsigned.txt"), {});
    expect(code(forged.body)).toBe("SignatureDoesNotMatch");
    expect(host.notifications.events.length).toBe(before);
  });

  it("takes a STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload, checking every chunk signature and stripping the framing", async () => {
    const chunks = [Buffer.alloc(65536, "a"), Buffer.from("the end")];
    const good = await streamingSignedPut({ url: host.url, path: "/vault/chunked.bin", chunks, credentials: TEST_CREDENTIALS });
    expect(good.status).toBe(200);
    expect(await content("chunked.bin")).toBe(Buffer.concat(chunks).toString());
    const bad = await streamingSignedPut({
      url: host.url,
      path: "/vault/chunked.bin",
      chunks: [Buffer.from("replacement one"), Buffer.from("two")],
      credentials: TEST_CREDENTIALS,
      tamperChunk: 1,
    });
    expect([bad.status, code(bad.body)]).toEqual([403, "SignatureDoesNotMatch"]);
    expect(await content("chunked.bin")).toBe(Buffer.concat(chunks).toString());
  });
});

describe("object keys cannot escape the data dir", () => {
  const attempts = [
    "/vault/../escape.txt",
    "/vault/..%2Fescape.txt",
    "/vault/%2e%2e/escape.txt",
    "/vault/a/%2E%2E/%2E%2E/escape.txt",
    "/vault/..%5Cescape.txt",
    "/vault/%2Fetc%2Fpasswd",
    "/vault/nul%00byte",
    "/vault/a//b",
    "/vault/.s3n.meta.json",
  ];
  for (const path of attempts) {
    it(`refuses ${path}`, async () => {
      const response = await signedRequest({ url: host.url, method: "PUT", path, body: "owned", credentials: TEST_CREDENTIALS });
      expect(response.status).toBe(400);
      expect(["XMinioInvalidObjectName", "InvalidBucketName", "InvalidRequest"]).toContain(code(response.body));
      const outside = await readdir(dirname(host.dataDir));
      expect(outside).not.toContain("escape.txt");
      expect(await readdir(host.dataDir)).not.toContain("escape.txt");
    });
  }

  it("keeps odd but legal keys inside the bucket", async () => {
    for (const key of ["..a", "a..", "dots/...", "sp ace/ünï.txt", "folder/"]) {
      const path = `/vault/${key.split("/").map(encodeURIComponent).join("/")}`;
      const put = await signedRequest({ url: host.url, method: "PUT", path, body: key, credentials: TEST_CREDENTIALS });
      expect(put.status, key).toBe(200);
      const get = await signedRequest({ url: host.url, method: "GET", path, credentials: TEST_CREDENTIALS });
      expect(get.body).toBe(key);
    }
  });
});

describe("flexible checksums (x-amz-checksum-*)", () => {
  it("refuses a body whose x-amz-checksum-crc32 header does not match (BadDigest), keeping the old object", async () => {
    const response = await signedRequest({
      url: host.url,
      method: "PUT",
      path: "/vault/secret.txt",
      body: "tampered",
      contentSha256: "UNSIGNED-PAYLOAD",
      headers: { "x-amz-checksum-crc32": "AAAAAA==" },
      credentials: TEST_CREDENTIALS,
    });
    expect([response.status, code(response.body)]).toEqual([400, "BadDigest"]);
    expect(await content("secret.txt")).toBe("original");
  });

  it("checks the checksum trailer of a STREAMING-UNSIGNED-PAYLOAD-TRAILER upload", async () => {
    const framed = (trailer: string) => `5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${trailer}\r\n\r\n`;
    const headers = { "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "5", "x-amz-trailer": "x-amz-checksum-crc32" };
    const good = await signedRequest({
      url: host.url,
      method: "PUT",
      path: "/vault/trailer.txt",
      body: framed("NhCmhg=="),
      contentSha256: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      headers,
      credentials: TEST_CREDENTIALS,
    });
    expect(good.status).toBe(200);
    expect(await content("trailer.txt")).toBe("hello");
    const bad = await signedRequest({
      url: host.url,
      method: "PUT",
      path: "/vault/trailer.txt",
      body: framed("AAAAAA=="),
      contentSha256: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      headers,
      credentials: TEST_CREDENTIALS,
    });
    expect([bad.status, code(bad.body)]).toEqual([400, "BadDigest"]);
    expect(await content("trailer.txt")).toBe("hello");
  });
});

describe("request facts in events", () => {
  it("takes the source IP from X-Forwarded-For's first entry, then X-Real-IP, then the socket", async () => {
    const put = (headers: Record<string, string>) =>
      signedRequest({ url: host.url, method: "PUT", path: "/vault/ip.txt", body: "x", headers, credentials: TEST_CREDENTIALS });
    await put({ "x-forwarded-for": "203.0.113.9, 10.0.0.1", "x-real-ip": "198.51.100.7", "user-agent": "ip-test/1.0" });
    expect(host.notifications.events.at(-1)?.request).toMatchObject({ sourceIp: "203.0.113.9", userAgent: "ip-test/1.0" });
    await put({ "x-real-ip": "198.51.100.7" });
    expect(host.notifications.events.at(-1)?.request?.sourceIp).toBe("198.51.100.7");
    const response = await put({});
    expect(host.notifications.events.at(-1)?.request).toMatchObject({ sourceIp: "127.0.0.1", requestId: response.headers["x-amz-request-id"] });
  });
});
