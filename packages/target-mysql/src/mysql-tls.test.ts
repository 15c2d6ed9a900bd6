import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { isRetryable } from "@s3notify/core";
import { eventually, freePort, makeTestCertificates, type TestCertificates } from "@s3notify/testkit";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MysqlTarget } from "./mysql-target.js";
import { fixture, put } from "./test-support/fixtures.js";

// Runs against a throw-away MariaDB started here (testkit's launcher has no TLS option) with a server
// certificate signed by a throw-away CA (testkit's makeTestCertificates). The user
// `tls_only` is created with REQUIRE SSL, so a plain-text connection is refused by the server itself.

let certificates: TestCertificates | undefined;
let directory: string; // the certificates' folder, which also holds the server's data
let server: ChildProcess | undefined;
let port: number;
const targets: MysqlTarget[] = [];

function run(command: string, args: string[]): void {
  execFileSync(command, args, { cwd: directory, stdio: "ignore" });
}

async function startTlsServer(): Promise<void> {
  certificates = await makeTestCertificates();
  directory = certificates.dir;
  const dataDir = join(directory, "data");
  run("mariadb-install-db", [
    "--no-defaults",
    "--user=root",
    `--datadir=${dataDir}`,
    "--auth-root-authentication-method=normal",
    "--skip-test-db",
    "--innodb-log-file-size=16M",
  ]);
  port = await freePort();
  server = spawn(
    "mariadbd",
    [
      "--no-defaults",
      "--user=root",
      `--datadir=${dataDir}`,
      `--socket=${join(directory, "mysqld.sock")}`,
      `--pid-file=${join(directory, "mysqld.pid")}`,
      `--log-error=${join(directory, "error.log")}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      "--skip-name-resolve",
      "--skip-log-bin",
      "--innodb-log-file-size=16M",
      "--innodb-buffer-pool-size=64M",
      `--ssl-ca=${certificates.caFile}`,
      `--ssl-cert=${certificates.server.certFile}`,
      `--ssl-key=${certificates.server.keyFile}`,
    ],
    { stdio: "ignore" },
  );
  await eventually(
    async () => {
      const connection = await mysql.createConnection({ host: "127.0.0.1", port, user: "root", connectTimeout: 1000 });
      await connection.query("CREATE DATABASE IF NOT EXISTS events");
      await connection.query("CREATE USER IF NOT EXISTS 'tls_only'@'127.0.0.1' REQUIRE SSL");
      await connection.query("GRANT ALL ON events.* TO 'tls_only'@'127.0.0.1'");
      await connection.end();
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

async function stopTlsServer(): Promise<void> {
  const child = server;
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  await certificates?.dispose();
}

function tlsTarget(table: string, tls: string | undefined): MysqlTarget {
  const query = tls === undefined ? "" : `?tls=${tls}`;
  const made = fixture.create<MysqlTarget>({ dsn_string: `tls_only@tcp(127.0.0.1:${port})/events${query}`, table });
  targets.push(made);
  return made;
}

async function failureOf(promise: Promise<unknown>): Promise<Error | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );
}

beforeAll(startTlsServer, 60_000);

afterAll(async () => {
  for (const made of targets) await made.close();
  await stopTlsServer();
});

describe("MySQL target over TLS (DSN tls parameter) on MariaDB", () => {
  it("tls=skip-verify encrypts without checking the certificate", async () => {
    const made = tlsTarget("tls_skip", "skip-verify");
    await made.send([put("b", "k")]);
    expect(await made.isActive()).toBe(true);
  });

  it("tls=preferred uses TLS when the server offers it", async () => {
    const made = tlsTarget("tls_preferred", "preferred");
    await made.send([put("b", "k")]);
  });

  it("tls=true verifies the server: a certificate from an unknown CA is refused, retryably", async () => {
    const made = tlsTarget("tls_true", "true");
    const failure = await failureOf(made.open());
    expect(isRetryable(failure)).toBe(true);
    expect(failure?.message).toMatch(/cannot connect: .*(certificate|verify)/);
  });

  it("without tls the server refuses the REQUIRE SSL user", async () => {
    const made = tlsTarget("tls_none", undefined);
    const failure = await failureOf(made.open());
    expect(isRetryable(failure)).toBe(true);
    expect(failure?.message).toMatch(/Access denied/);
  });
});
