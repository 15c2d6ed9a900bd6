import { chmodSync, chownSync, copyFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { isRetryable } from "@s3notify/core";
import { makeTestCertificates, type RunningService, startService, type TestCertificates } from "@s3notify/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostgresTarget } from "./postgres-target.js";
import { fixture, put } from "./test-support/fixtures.js";

// Runs against a throw-away PostgreSQL with TLS switched on at run time (ALTER SYSTEM + reload) using a
// certificate for IP 127.0.0.1 only (not "localhost") signed by a throw-away CA (testkit's makeTestCertificates).

let service: RunningService;
let admin: pg.Client;
let certificates: TestCertificates;
let otherCaFile: string;
const targets: PostgresTarget[] = [];

async function tlsTarget(table: string, options: string): Promise<PostgresTarget> {
  const made = fixture.create<PostgresTarget>({ connection_string: `port=${service.port} user=postgres dbname=postgres ${options}`, table });
  targets.push(made);
  return made;
}

async function failureOf(promise: Promise<unknown>): Promise<Error | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );
}

beforeAll(async () => {
  certificates = await makeTestCertificates({ otherCa: true, serverAltNames: ["IP:127.0.0.1"] });
  if (!certificates.otherCa) throw new Error("makeTestCertificates made no otherCa");
  otherCaFile = certificates.otherCa.certFile;
  service = await startService("postgres");
  const dataDir = join(service.dataDir, "data");
  const owner = statSync(dataDir);
  // Into the data dir, owned by its owner (the postgres user when we are root) and private, as postgres requires.
  for (const [name, source] of [
    ["server.pem", certificates.server.certFile],
    ["server.key", certificates.server.keyFile],
  ] as const) {
    const destination = join(dataDir, name);
    copyFileSync(source, destination);
    chownSync(destination, owner.uid, owner.gid);
    chmodSync(destination, 0o600);
  }
  admin = new pg.Client({ connectionString: service.url });
  admin.on("error", () => undefined);
  await admin.connect();
  await admin.query("ALTER SYSTEM SET ssl_cert_file = 'server.pem'");
  await admin.query("ALTER SYSTEM SET ssl_key_file = 'server.key'");
  await admin.query("ALTER SYSTEM SET ssl = on");
  await admin.query("SELECT pg_reload_conf()");
});

afterAll(async () => {
  for (const made of targets) await made.close();
  await admin?.end().catch(() => undefined);
  await service?.dispose();
  await certificates?.dispose();
});

/** Whether the target's pooled connection (found by application_name) uses TLS. */
async function usesTls(applicationName: string): Promise<boolean | undefined> {
  const result = await admin.query("SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid WHERE a.application_name = $1", [applicationName]);
  return (result.rows[0] as { ssl: boolean } | undefined)?.ssl;
}

describe("PostgreSQL target over TLS (sslmode)", () => {
  it("sslmode=require encrypts without checking the certificate", async () => {
    const made = await tlsTarget("tls_require", "host=127.0.0.1 sslmode=require application_name=tls-require");
    await made.send([put("b", "k")]);
    expect(await usesTls("tls-require")).toBe(true);
  });

  it("no sslmode means require (lib/pq's default)", async () => {
    const made = await tlsTarget("tls_default", "host=127.0.0.1 application_name=tls-default");
    await made.send([put("b", "k")]);
    expect(await usesTls("tls-default")).toBe(true);
  });

  it("sslmode=disable stays in plain text", async () => {
    const made = await tlsTarget("tls_disable", "host=127.0.0.1 sslmode=disable application_name=tls-disable");
    await made.send([put("b", "k")]);
    expect(await usesTls("tls-disable")).toBe(false);
  });

  it("sslmode=verify-full checks the chain and the host name", async () => {
    const good = await tlsTarget("tls_full", `host=127.0.0.1 sslmode=verify-full sslrootcert=${certificates.caFile} application_name=tls-full`);
    await good.send([put("b", "k")]);
    expect(await usesTls("tls-full")).toBe(true);

    // The certificate names IP 127.0.0.1, not "localhost".
    const wrongName = await tlsTarget("tls_full_name", `host=localhost sslmode=verify-full sslrootcert=${certificates.caFile}`);
    const failure = await failureOf(wrongName.open());
    expect(isRetryable(failure)).toBe(true);
    expect(failure?.message).toMatch(/cannot connect: Hostname\/IP does not match certificate's altnames/);
  });

  it("sslmode=verify-ca checks the chain but not the host name", async () => {
    const made = await tlsTarget("tls_ca", `host=localhost sslmode=verify-ca sslrootcert=${certificates.caFile}`);
    await made.send([put("b", "k")]);

    const otherCa = await tlsTarget("tls_other_ca", `host=127.0.0.1 sslmode=verify-ca sslrootcert=${otherCaFile}`);
    const failure = await failureOf(otherCa.open());
    expect(isRetryable(failure)).toBe(true);
    expect(failure?.message).toMatch(/cannot connect: .*(certificate|verify)/);
  });
});
