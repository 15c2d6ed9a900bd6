import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer, connect as tlsConnect } from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { makeTestCertificates, type TestCertificates } from "./test-certificates.js";

const made: TestCertificates[] = [];
afterAll(async () => {
  for (const certificates of made) await certificates.dispose();
});

async function make(...args: Parameters<typeof makeTestCertificates>): Promise<TestCertificates> {
  const certificates = await makeTestCertificates(...args);
  made.push(certificates);
  return certificates;
}

/** Whether a TLS client trusting `ca` and presenting `client` completes a handshake with a server requiring a client certificate. */
async function handshake(certificates: TestCertificates, client: { cert: string; key: string } | undefined, host: string): Promise<string> {
  const server = createTlsServer({
    cert: certificates.server.cert,
    key: certificates.server.key,
    ca: certificates.ca,
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.on("secureConnection", (socket) => socket.end("hello"));
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect(
        { host: "127.0.0.1", port, servername: host === "127.0.0.1" ? undefined : host, ca: certificates.ca, ...client },
        () => undefined,
      );
      let data = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => (data += chunk));
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe("makeTestCertificates", () => {
  it("makes a CA, a server certificate for 127.0.0.1 and localhost, client certificates and an unrelated CA", async () => {
    const certificates = await make({ clients: ["minio", "webhook-client"], otherCa: true });
    const ca = new X509Certificate(certificates.ca);
    expect(readFileSync(certificates.caFile, "utf8")).toBe(certificates.ca);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);

    const server = new X509Certificate(certificates.server.cert);
    expect(readFileSync(certificates.server.certFile, "utf8")).toBe(certificates.server.cert);
    expect(readFileSync(certificates.server.keyFile, "utf8")).toBe(certificates.server.key);
    expect(server.ca).toBe(false);
    expect(server.subject).toBe("CN=127.0.0.1");
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.subjectAltName).toBe("IP Address:127.0.0.1, DNS:localhost");
    expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(server.checkHost("localhost")).toBe("localhost");
    expect(server.checkHost("example.com")).toBeUndefined();
    expect(server.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]); // serverAuth
    expect(server.publicKey.asymmetricKeyType).toBe("rsa");

    expect(Object.keys(certificates.clients)).toEqual(["minio", "webhook-client"]);
    for (const [name, client] of Object.entries(certificates.clients)) {
      const cert = new X509Certificate(client.cert);
      expect(cert.subject).toBe(`CN=${name}`);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]); // clientAuth
      expect(readFileSync(client.keyFile, "utf8")).toBe(client.key);
    }

    const other = certificates.otherCa;
    if (!other) throw new Error("otherCa was requested");
    const otherCa = new X509Certificate(other.cert);
    expect(otherCa.ca).toBe(true);
    expect(otherCa.subject).not.toBe(ca.subject);
    expect(server.verify(otherCa.publicKey)).toBe(false);
    expect(server.checkIssued(otherCa)).toBe(false);
  });

  it("the certificates work in a real TLS handshake with a required client certificate", async () => {
    const certificates = await make({ clients: ["minio"] });
    expect(await handshake(certificates, certificates.clients.minio, "127.0.0.1")).toBe("hello");
    expect(await handshake(certificates, certificates.clients.minio, "localhost")).toBe("hello");
    await expect(handshake(certificates, certificates.clients.minio, "example.com")).rejects.toThrow(/altnames/);
  });

  it("makes EC keys, no clients and no other CA unless asked, and the subjectAltName asked for", async () => {
    const certificates = await make({ keyType: "ec", serverAltNames: ["IP:127.0.0.1"] });
    const server = new X509Certificate(certificates.server.cert);
    expect(server.publicKey.asymmetricKeyType).toBe("ec");
    expect(new X509Certificate(certificates.ca).publicKey.asymmetricKeyType).toBe("ec");
    expect(server.verify(new X509Certificate(certificates.ca).publicKey)).toBe(true);
    expect(server.subjectAltName).toBe("IP Address:127.0.0.1");
    expect(server.checkHost("localhost")).toBeUndefined();
    expect(certificates.clients).toEqual({});
    expect(certificates.otherCa).toBeUndefined();
  });

  it("dispose() removes the folder", async () => {
    const certificates = await makeTestCertificates();
    expect(existsSync(certificates.server.keyFile)).toBe(true);
    await certificates.dispose();
    expect(existsSync(certificates.dir)).toBe(false);
    await certificates.dispose(); // twice is fine
  });

  it("refuses repeated client names", async () => {
    await expect(makeTestCertificates({ clients: ["minio", "minio"] })).rejects.toThrow(/repeat/);
  });

  it("names openssl's complaint when openssl fails, and leaves no folder behind", async () => {
    // A private TMPDIR (os.tmpdir() reads it at each call) shows what is left behind.
    const privateTmp = await mkdtemp(join(tmpdir(), "s3notify-certs-test-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    try {
      const error = await makeTestCertificates({ serverAltNames: ["NOT-A-TYPE:x"] }).then(
        () => undefined,
        (thrown: unknown) => thrown as Error,
      );
      expect(error?.message).toMatch(/^openssl x509 .* failed: [\s\S]*\S/);
      expect(error?.message).toMatch(/NOT-A-TYPE|subjectAltName/i);
      expect(await readdir(privateTmp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await rm(privateTmp, { recursive: true, force: true });
    }
  });
});
