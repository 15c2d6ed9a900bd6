import { type ChildProcess, execFile, spawn } from "node:child_process";
import { accessSync, chmodSync, chownSync, closeSync, existsSync, constants as fsConstants, openSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { createConnection, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import type { RunningService, ServiceName, ServiceTlsFiles, StartServiceOptions } from "./types.js";

const HOST = "127.0.0.1" as const;
const DEFAULT_READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
const APT_LOCK = "/tmp/s3notify-apt.lock";
const APT_UPDATED_MARKER = "/tmp/s3notify-apt-updated";

/** The Debian package that provides each server. */
export const SERVICE_PACKAGES: Readonly<Record<ServiceName, string>> = {
  redis: "redis-server",
  postgres: "postgresql",
  mariadb: "mariadb-server",
  rabbitmq: "rabbitmq-server",
  mosquitto: "mosquitto",
  nats: "nats-server",
};

// ---------------------------------------------------------------------------
// Process bookkeeping: every server we start is killed when this process exits.
// ---------------------------------------------------------------------------

const liveGroups = new Set<number>();
let exitHooksInstalled = false;

function killGroupNow(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on("exit", () => {
    for (const pid of liveGroups) killGroupNow(pid);
    liveGroups.clear();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = (): void => {
      for (const pid of liveGroups) killGroupNow(pid);
      liveGroups.clear();
      // Keep the default behaviour (die by the signal) unless someone else handles it too.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/**
 * Exit hooks do not run when this process is killed with SIGKILL (a test runner's last resort). A tiny shell
 * reading a pipe from us sees end-of-file as soon as we are gone, however we die, and kills the group.
 */
function spawnWatchdog(groupId: number): ChildProcess | undefined {
  try {
    const watchdog = spawn("sh", ["-c", `read _ignored; kill -9 -${groupId} 2>/dev/null`], { stdio: ["pipe", "ignore", "ignore"], detached: true });
    watchdog.on("error", () => undefined);
    watchdog.stdin?.on("error", () => undefined);
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return watchdog;
  } catch {
    return undefined;
  }
}

interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves with a description once the process has exited. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
}

/**
 * Spawn in its own process group (so that helpers it forks, like RabbitMQ's beam, die with it),
 * stdout and stderr appended to `logFile`.
 */
function spawnChild(command: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv, cwd?: string): Child {
  installExitHooks();
  const fd = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(command, [...args], {
      stdio: ["ignore", fd, fd],
      detached: true,
      env: env ?? process.env,
      cwd: cwd ?? tmpdir(),
    });
  } finally {
    closeSync(fd);
  }
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => {
      done = true;
      resolve(signal ? `killed by ${signal}` : `exited with code ${String(code)}`);
    });
    child.once("error", (error) => {
      done = true;
      resolve(`failed to start: ${error.message}`);
    });
  });
  child.unref();
  const pid = child.pid ?? -1;
  if (pid > 0) {
    liveGroups.add(pid);
    const watchdog = spawnWatchdog(pid);
    void exited.then(() => {
      // The leader is gone; kill what may be left in its group, then forget it.
      killGroupNow(pid);
      liveGroups.delete(pid);
      watchdog?.kill("SIGKILL");
    });
  }
  return { process: child, pid, exited, hasExited: () => done };
}

async function stopChild(child: Child, signal: NodeJS.Signals): Promise<void> {
  if (child.hasExited()) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // already gone
  }
  const timer = delay(STOP_TIMEOUT_MS);
  const result = await Promise.race([child.exited.then(() => "exited" as const), timer.promise.then(() => "timeout" as const)]);
  timer.cancel();
  if (result === "timeout") {
    killGroupNow(child.pid);
    await child.exited;
  }
  killGroupNow(child.pid);
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

function delay(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** A free loopback port: bind port 0, read the port, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function logTail(file: string, lines = 30): string {
  try {
    const text = readFileSync(file, "utf8");
    return text.split("\n").slice(-lines).join("\n").trim();
  } catch {
    return "(no log)";
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findInPath(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin"];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Highest installed /usr/lib/postgresql/<major>/bin. */
function postgresBinDir(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base)
    .filter((name) => /^\d+$/.test(name) && isExecutable(join(base, name, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a));
  const major = majors[0];
  return major === undefined ? undefined : join(base, major, "bin");
}

function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { env: options.env ?? process.env, cwd: options.cwd ?? tmpdir(), timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/**
 * Install a Debian package under a file lock (several test files start services at once).
 * apt-get update runs once per machine boot-ish (a marker in /tmp) or when the install fails without it.
 */
async function aptInstall(debianPackage: string, binaryCheck: () => string | undefined): Promise<void> {
  const script = [
    "set -e",
    "export DEBIAN_FRONTEND=noninteractive",
    // Never let a package's postinst start a system-wide daemon.
    "if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi",
    `if [ ! -e ${APT_UPDATED_MARKER} ]; then apt-get update -qq && touch ${APT_UPDATED_MARKER}; fi`,
    `apt-get install -y -qq --no-install-recommends ${debianPackage} || { apt-get update -qq && apt-get install -y -qq --no-install-recommends ${debianPackage}; }`,
  ].join("\n");
  const flock = findInPath("flock");
  const result = flock ? await run(flock, [APT_LOCK, "sh", "-c", script], { timeoutMs: 600_000 }) : await run("sh", ["-c", script], { timeoutMs: 600_000 });
  if (result.code !== 0 || binaryCheck() === undefined) {
    throw new Error(`could not install the Debian package ${debianPackage}: ${result.output.split("\n").slice(-15).join("\n")}`);
  }
}

async function requireBinary(service: ServiceName, find: () => string | undefined, install: boolean): Promise<string> {
  const found = find();
  if (found) return found;
  const debianPackage = SERVICE_PACKAGES[service];
  if (!install) {
    throw new Error(`${service}: server binary not found and installing is switched off; install the Debian package ${debianPackage}`);
  }
  if (!isRoot) {
    throw new Error(
      `${service}: server binary not found and not running as root; install the Debian package ${debianPackage} (apt-get install ${debianPackage})`,
    );
  }
  if (!findInPath("apt-get")) {
    throw new Error(`${service}: server binary not found and apt-get is not available; install ${debianPackage} by other means`);
  }
  await aptInstall(debianPackage, find);
  const afterInstall = find();
  if (!afterInstall) throw new Error(`${service}: installed ${debianPackage} but still cannot find its server binary`);
  return afterInstall;
}

// ---------------------------------------------------------------------------
// Ready checks: a real protocol exchange each
// ---------------------------------------------------------------------------

/** Connect, write `hello`, resolve true when `accept(received)` says so, false on any error. */
function socketExchange(
  port: number,
  hello: Buffer | undefined,
  accept: (received: Buffer) => boolean | undefined,
  timeoutMs = 2_000,
  goodbye?: Buffer,
): Promise<boolean> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const socket: Socket = createConnection({ host: HOST, port });
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (ok && goodbye) socket.end(goodbye);
      else socket.destroy();
      if (ok && goodbye) setTimeout(() => socket.destroy(), 200).unref();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once("connect", () => {
      if (hello) socket.write(hello);
      else finish(accept(Buffer.alloc(0)) === true);
    });
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const verdict = accept(received);
      if (verdict !== undefined) finish(verdict);
    });
    socket.once("error", () => finish(false));
    socket.once("close", () => finish(false));
  });
}

/**
 * The AMQP header over TLS → a method frame. A readiness probe only: the certificate is not checked here
 * (the tests that use the listener do that).
 */
export function amqpsHandshake(port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const socket = tlsConnect({ host: HOST, port, rejectUnauthorized: false });
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once("secureConnect", () => socket.write(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1])));
    socket.once("data", (chunk: Buffer) => finish(chunk[0] === 1));
    socket.once("error", () => finish(false));
    socket.once("close", () => finish(false));
  });
}

/** RESP `PING` → `+PONG`. */
export function redisPing(port: number): Promise<boolean> {
  return socketExchange(port, Buffer.from("PING\r\n"), (data) => {
    const text = data.toString("latin1");
    if (!text.includes("\r\n")) return undefined;
    return text.startsWith("+PONG");
  });
}

/** AMQP 0-9-1 protocol header → the server's first frame is a method frame (Connection.Start). */
export function amqpHandshake(port: number): Promise<boolean> {
  return socketExchange(port, Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]), (data) => {
    if (data.length < 1) return undefined;
    return data[0] === 1;
  });
}

/** MQTT 3.1.1 CONNECT (clean session, empty client id) → CONNACK with return code 0. */
export function mqttHandshake(port: number): Promise<boolean> {
  const connect = Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00]);
  return socketExchange(
    port,
    connect,
    (data) => {
      if (data.length < 4) return undefined;
      return data[0] === 0x20 && data[3] === 0x00;
    },
    2_000,
    Buffer.from([0xe0, 0x00]),
  );
}

/** WebSocket upgrade with the `mqtt` sub-protocol → 101. */
export function websocketUpgrade(port: number): Promise<boolean> {
  const hello = Buffer.from(
    `GET /mqtt HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n`,
  );
  return socketExchange(port, hello, (data) => {
    const text = data.toString("latin1");
    if (!text.includes("\r\n")) return undefined;
    return /^HTTP\/1\.1 101/.test(text);
  });
}

/** GET on a local HTTP port, true on 200. */
export function httpOk(port: number, path: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = httpRequest({ host: HOST, port, path, method: "GET", timeout: timeoutMs, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.once("timeout", () => request.destroy());
    request.once("error", () => resolve(false));
    request.end();
  });
}

// ---------------------------------------------------------------------------
// Service definitions
// ---------------------------------------------------------------------------

interface Launch {
  /** The processes, the main one first. Stopped in reverse order except `main` first. */
  readonly main: Child;
  readonly helpers: readonly Child[];
  readonly logFile: string;
  readonly stopSignal: NodeJS.Signals;
}

interface ServiceDefinition {
  readonly portNames: readonly string[];
  readonly url: (ports: Record<string, number>) => string;
  /** Once per data dir: find binaries, write config, init the data. */
  prepare(context: PrepareContext): Promise<void>;
  launch(context: LaunchContext): Promise<Launch>;
  ready(context: LaunchContext): Promise<boolean>;
}

interface PrepareContext {
  readonly dir: string;
  readonly ports: Record<string, number>;
  readonly install: boolean;
  readonly binaries: Record<string, string>;
  readonly instanceId: string;
  readonly tls?: ServiceTlsFiles;
  readonly durable: boolean;
}

type LaunchContext = PrepareContext;

function port(context: PrepareContext, name: string): number {
  const value = context.ports[name];
  if (value === undefined) throw new Error(`internal: no port ${name}`);
  return value;
}

function binary(context: PrepareContext, name: string): string {
  const value = context.binaries[name];
  if (value === undefined) throw new Error(`internal: no binary ${name}`);
  return value;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((entry) => entry.startsWith("postgres:"));
    if (!line) return undefined;
    const fields = line.split(":");
    return { uid: Number(fields[2]), gid: Number(fields[3]) };
  } catch {
    return undefined;
  }
}

const definitions: Record<ServiceName, ServiceDefinition> = {
  redis: {
    portNames: ["main"],
    url: (ports) => `redis://${HOST}:${ports.main}`,
    async prepare(context) {
      context.binaries.server = await requireBinary("redis", () => findInPath("redis-server"), context.install);
    },
    async launch(context) {
      const logFile = join(context.dir, "redis.log");
      const main = spawnChild(
        binary(context, "server"),
        [
          "--port",
          String(port(context, "main")),
          "--bind",
          HOST,
          "--dir",
          context.dir, // A save point makes a SIGTERM shutdown write dump.rdb, so stop()/start() keeps the data as the contract says.
          "--save",
          "3600 1",
          "--appendonly",
          "no",
          "--logfile",
          logFile,
        ],
        logFile,
      );
      return { main, helpers: [], logFile, stopSignal: "SIGTERM" };
    },
    ready: (context) => redisPing(port(context, "main")),
  },

  postgres: {
    portNames: ["main"],
    url: (ports) => `postgres://postgres@${HOST}:${ports.main}/postgres`,
    async prepare(context) {
      const binDir = postgresBinDir() ?? (await requireBinary("postgres", () => postgresBinDir(), context.install));
      context.binaries.bin = binDir;
      const dataDir = join(context.dir, "data");
      const args = ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"];
      const result = await runAsPostgres(context, join(binDir, "initdb"), args);
      if (result.code !== 0) throw new Error(`postgres: initdb failed:\n${result.output.split("\n").slice(-20).join("\n")}`);
    },
    async launch(context) {
      const logFile = join(context.dir, "postgres.log");
      const args = [
        "-D",
        join(context.dir, "data"),
        "-p",
        String(port(context, "main")),
        "-c",
        `listen_addresses=${HOST}`,
        "-c",
        `unix_socket_directories=${context.dir}`,
        ...(context.durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
      ];
      const server = join(binary(context, "bin"), "postgres");
      const main = isRoot ? spawnChild(setprivPath(), [...setprivArgs(), server, ...args], logFile) : spawnChild(server, args, logFile);
      // SIGTERM is a "smart" shutdown that waits for idle clients; SIGINT is the fast one.
      return { main, helpers: [], logFile, stopSignal: "SIGINT" };
    },
    async ready(context) {
      const result = await run(
        join(binary(context, "bin"), "pg_isready"),
        ["-q", "-h", HOST, "-p", String(port(context, "main")), "-U", "postgres", "-d", "postgres"],
        { timeoutMs: 5_000 },
      );
      return result.code === 0;
    },
  },

  mariadb: {
    portNames: ["main"],
    url: (ports) => `mysql://root@${HOST}:${ports.main}/`,
    async prepare(context) {
      context.binaries.server = await requireBinary("mariadb", () => findInPath("mariadbd"), context.install);
      const installDb = findInPath("mariadb-install-db") ?? findInPath("mysql_install_db");
      const admin = findInPath("mariadb-admin") ?? findInPath("mysqladmin");
      if (!installDb || !admin) throw new Error("mariadb: mariadb-install-db or mariadb-admin not found; reinstall mariadb-server");
      context.binaries.admin = admin;
      const args = [
        "--no-defaults",
        ...(isRoot ? ["--user=root"] : []),
        `--datadir=${join(context.dir, "data")}`,
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--innodb-log-file-size=16M",
      ];
      const result = await run(installDb, args);
      if (result.code !== 0) throw new Error(`mariadb: mariadb-install-db failed:\n${result.output.split("\n").slice(-20).join("\n")}`);
    },
    async launch(context) {
      const logFile = join(context.dir, "error.log");
      const main = spawnChild(
        binary(context, "server"),
        [
          "--no-defaults",
          ...(isRoot ? ["--user=root"] : []),
          `--datadir=${join(context.dir, "data")}`,
          `--socket=${join(context.dir, "mysqld.sock")}`,
          `--pid-file=${join(context.dir, "mysqld.pid")}`,
          `--log-error=${logFile}`,
          `--port=${port(context, "main")}`,
          `--bind-address=${HOST}`,
          "--skip-name-resolve",
          "--skip-log-bin",
          "--innodb-log-file-size=16M",
          "--innodb-buffer-pool-size=64M",
          `--innodb-flush-log-at-trx-commit=${context.durable ? 1 : 0}`,
        ],
        join(context.dir, "stdout.log"),
      );
      return { main, helpers: [], logFile, stopSignal: "SIGTERM" };
    },
    async ready(context) {
      const result = await run(
        binary(context, "admin"),
        ["--no-defaults", "--protocol=TCP", "-h", HOST, "-P", String(port(context, "main")), "-u", "root", "ping"],
        { timeoutMs: 5_000 },
      );
      return result.code === 0 && /alive/.test(result.output);
    },
  },

  rabbitmq: {
    portNames: ["main", "dist", "epmd"],
    url: (ports) => `amqp://guest:guest@${HOST}:${ports.main}`,
    async prepare(context) {
      const find = (): string | undefined => (isExecutable("/usr/lib/rabbitmq/bin/rabbitmq-server") ? "/usr/lib/rabbitmq/bin/rabbitmq-server" : undefined);
      context.binaries.server = await requireBinary("rabbitmq", find, context.install);
      const epmd = findInPath("epmd");
      if (!epmd) throw new Error("rabbitmq: epmd not found; reinstall erlang-base");
      context.binaries.epmd = epmd;
      await mkdir(join(context.dir, "mnesia"), { recursive: true });
      await mkdir(join(context.dir, "log"), { recursive: true });
      await writeFile(join(context.dir, "enabled_plugins"), "[].\n");
      const lines = [`listeners.tcp.default = ${HOST}:${port(context, "main")}`];
      if (context.tls) {
        lines.push(
          `listeners.ssl.default = ${HOST}:${port(context, "amqps")}`,
          `ssl_options.cacertfile = ${context.tls.caFile}`,
          `ssl_options.certfile = ${context.tls.certFile}`,
          `ssl_options.keyfile = ${context.tls.keyFile}`,
          "ssl_options.verify = verify_none",
          "ssl_options.fail_if_no_peer_cert = false",
        );
      }
      await writeFile(join(context.dir, "rabbitmq.conf"), `${lines.join("\n")}\n`);
    },
    async launch(context) {
      const dir = context.dir;
      const epmdPort = String(port(context, "epmd"));
      const epmd = spawnChild(binary(context, "epmd"), ["-port", epmdPort, "-address", HOST], join(dir, "epmd.log"));
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        LANG: "C.UTF-8",
        LC_ALL: "C.UTF-8",
        HOME: dir,
        RABBITMQ_CONF_ENV_FILE: join(dir, "rabbitmq-env.conf"),
        // Unique per instance: two brokers on one machine must not share a node name.
        RABBITMQ_NODENAME: `s3n${context.instanceId}${port(context, "main")}@localhost`,
        RABBITMQ_NODE_IP_ADDRESS: HOST,
        RABBITMQ_NODE_PORT: String(port(context, "main")),
        RABBITMQ_DIST_PORT: String(port(context, "dist")),
        ERL_EPMD_PORT: epmdPort,
        ERL_EPMD_ADDRESS: HOST,
        RABBITMQ_MNESIA_BASE: join(dir, "mnesia"),
        RABBITMQ_LOG_BASE: join(dir, "log"),
        RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq.conf"),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
        RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, "plugins-expand"),
        RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, "advanced.config"),
        RABBITMQ_PID_FILE: join(dir, "rabbit.pid"),
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-kernel inet_dist_use_interface {127,0,0,1}",
      };
      const logFile = join(dir, "stdout.log");
      const main = spawnChild(binary(context, "server"), [], logFile, env, dir);
      return { main, helpers: [epmd], logFile, stopSignal: "SIGTERM" };
    },
    ready: async (context) => (await amqpHandshake(port(context, "main"))) && (!context.tls || (await amqpsHandshake(port(context, "amqps")))),
  },

  mosquitto: {
    portNames: ["main", "ws"],
    url: (ports) => `mqtt://${HOST}:${ports.main}`,
    async prepare(context) {
      context.binaries.server = await requireBinary("mosquitto", () => findInPath("mosquitto"), context.install);
      const lines = [
        "per_listener_settings false",
        "allow_anonymous true",
        "persistence false",
        // Real deployments set it for pipelined publishers; without it Mosquitto holds PUBACKs back ~40 ms.
        "set_tcp_nodelay true",
        ...(isRoot ? ["user root"] : []),
        `log_dest file ${join(context.dir, "mosquitto.log")}`,
        `listener ${port(context, "main")} ${HOST}`,
        `listener ${port(context, "ws")} ${HOST}`,
        "protocol websockets",
      ];
      await writeFile(join(context.dir, "mosquitto.conf"), `${lines.join("\n")}\n`);
    },
    async launch(context) {
      const logFile = join(context.dir, "mosquitto.log");
      const main = spawnChild(binary(context, "server"), ["-c", join(context.dir, "mosquitto.conf")], join(context.dir, "stdout.log"));
      return { main, helpers: [], logFile, stopSignal: "SIGTERM" };
    },
    async ready(context) {
      return (await mqttHandshake(port(context, "main"))) && (await websocketUpgrade(port(context, "ws")));
    },
  },

  nats: {
    portNames: ["main", "monitor"],
    url: (ports) => `nats://${HOST}:${ports.main}`,
    async prepare(context) {
      context.binaries.server = await requireBinary("nats", () => findInPath("nats-server"), context.install);
    },
    async launch(context) {
      const logFile = join(context.dir, "nats.log");
      const main = spawnChild(
        binary(context, "server"),
        ["-a", HOST, "-p", String(port(context, "main")), "-m", String(port(context, "monitor")), "-js", "-sd", join(context.dir, "jetstream"), "-l", logFile],
        join(context.dir, "stdout.log"),
      );
      return { main, helpers: [], logFile, stopSignal: "SIGTERM" };
    },
    ready: (context) => httpOk(port(context, "monitor"), "/healthz?js-enabled-only=true"),
  },
};

function setprivPath(): string {
  const path = findInPath("setpriv");
  if (!path) throw new Error("postgres: setpriv (util-linux) not found; it is needed to run postgres as the postgres user");
  return path;
}

function setprivArgs(): string[] {
  return ["--reuid=postgres", "--regid=postgres", "--init-groups", "--"];
}

async function runAsPostgres(context: PrepareContext, command: string, args: string[]): Promise<{ code: number; output: string }> {
  if (!isRoot) return run(command, args);
  const user = postgresUser();
  if (!user) throw new Error("postgres: there is no postgres user; reinstall the postgresql package");
  // mkdtemp makes a 0700 root dir: postgres must own it to create its data dir inside.
  chownSync(context.dir, user.uid, user.gid);
  chmodSync(context.dir, 0o700);
  return run(setprivPath(), [...setprivArgs(), command, ...args], { cwd: tmpdir() });
}

// ---------------------------------------------------------------------------
// startService
// ---------------------------------------------------------------------------

let instanceCounter = 0;

function looksLikePortClash(log: string): boolean {
  return /address already in use|EADDRINUSE|could not bind|eaddrinuse|Only one usage|Bind on TCP\/IP port/i.test(log);
}

/**
 * Start a throw-away server of `name` on free loopback ports with its state in a fresh temp dir.
 * Resolves once it answers its protocol. Children are killed when this process exits.
 */
export async function startService(name: ServiceName, options: StartServiceOptions = {}): Promise<RunningService> {
  const definition = definitions[name];
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const install = options.install ?? true;
  const instanceId = `${process.pid}x${++instanceCounter}`;
  if (options.tls && name !== "rabbitmq") throw new Error(`${name}: the tls option is only supported for rabbitmq`);
  if (options.durable && name !== "postgres" && name !== "mariadb") throw new Error(`${name}: the durable option is only supported for postgres and mariadb`);

  // A free port can be taken by someone else between our probe and the server's bind: retry with new ports.
  for (let attempt = 1; ; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), `s3notify-${name}-`));
    const ports: Record<string, number> = {};
    for (const portName of definition.portNames) ports[portName] = await freePort();
    if (options.tls) ports.amqps = await freePort();
    const context: PrepareContext = { dir, ports, install, binaries: {}, instanceId, tls: options.tls, durable: options.durable ?? false };
    try {
      await definition.prepare(context);
      const service = new ManagedService(name, definition, context, readyTimeoutMs);
      await service.start();
      return service;
    } catch (error) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      if (attempt < 3 && looksLikePortClash(message)) continue;
      throw error;
    }
  }
}

class ManagedService implements RunningService {
  readonly host = HOST;
  readonly port: number;
  readonly ports: Readonly<Record<string, number>>;
  readonly url: string;
  readonly dataDir: string;
  private launch: Launch | undefined;
  private disposed = false;

  constructor(
    readonly name: ServiceName,
    private readonly definition: ServiceDefinition,
    private readonly context: LaunchContext,
    private readonly readyTimeoutMs: number,
  ) {
    const main = context.ports.main;
    if (main === undefined) throw new Error("internal: no main port");
    this.port = main;
    const extra: Record<string, number> = {};
    for (const [key, value] of Object.entries(context.ports)) if (key !== "main") extra[key] = value;
    this.ports = Object.freeze(extra);
    this.url = definition.url(context.ports);
    this.dataDir = context.dir;
  }

  async start(): Promise<void> {
    if (this.disposed) throw new Error(`${this.name}: already disposed`);
    if (this.launch && !this.launch.main.hasExited()) return;
    const launch = await this.definition.launch(this.context);
    this.launch = launch;
    const deadline = Date.now() + this.readyTimeoutMs;
    for (;;) {
      if (launch.main.hasExited()) {
        const how = await launch.main.exited;
        await this.stopLaunch(launch);
        throw new Error(`${this.name} on port ${this.port} ${how} before it was ready; log tail (${launch.logFile}):\n${this.tails(launch)}`);
      }
      if (await this.definition.ready(this.context)) return;
      if (Date.now() > deadline) {
        await this.stopLaunch(launch);
        throw new Error(`${this.name} on port ${this.port} not ready after ${this.readyTimeoutMs} ms; log tail (${launch.logFile}):\n${this.tails(launch)}`);
      }
      const pause = delay(100);
      await pause.promise;
    }
  }

  private tails(launch: Launch): string {
    const primary = logTail(launch.logFile);
    const stdout = join(this.context.dir, "stdout.log");
    if (launch.logFile !== stdout && existsSync(stdout)) {
      const extra = logTail(stdout, 10);
      if (extra) return `${primary}\n--- stdout ---\n${extra}`;
    }
    return primary;
  }

  private async stopLaunch(launch: Launch): Promise<void> {
    await stopChild(launch.main, launch.stopSignal);
    for (const helper of launch.helpers) await stopChild(helper, "SIGTERM");
  }

  async stop(): Promise<void> {
    const launch = this.launch;
    if (!launch) return;
    await this.stopLaunch(launch);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.stop();
    this.disposed = true;
    await rm(this.context.dir, { recursive: true, force: true });
  }
}
