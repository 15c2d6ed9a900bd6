import { existsSync } from "node:fs";
import { createServer } from "node:net";
import amqplib from "amqplib";
import mqtt from "mqtt";
import mysql from "mysql2/promise";
import { connect as natsConnect } from "nats";
import pg from "pg";
import { createClient } from "redis";
import { afterAll, describe, expect, it } from "vitest";
import { startService } from "./start-service.js";
import type { RunningService, ServiceName } from "./types.js";

/** A real client round trip per server: write something and read it back. */
const roundTrips: Record<ServiceName, (service: RunningService, marker: string) => Promise<string>> = {
  async redis(service, marker) {
    const client = createClient({ url: service.url, socket: { reconnectStrategy: false } });
    client.on("error", () => undefined);
    await client.connect();
    try {
      await client.set("marker", marker);
      return (await client.get("marker")) ?? "";
    } finally {
      await client.close();
    }
  },
  async postgres(service, marker) {
    const client = new pg.Client({ connectionString: service.url });
    await client.connect();
    try {
      await client.query("CREATE TABLE IF NOT EXISTS markers (value text)");
      await client.query("INSERT INTO markers VALUES ($1)", [marker]);
      const result = await client.query<{ value: string }>("SELECT value FROM markers WHERE value = $1", [marker]);
      return result.rows[0]?.value ?? "";
    } finally {
      await client.end();
    }
  },
  async mariadb(service, marker) {
    const connection = await mysql.createConnection({ host: service.host, port: service.port, user: "root" });
    try {
      await connection.query("CREATE DATABASE IF NOT EXISTS t");
      await connection.query("CREATE TABLE IF NOT EXISTS t.markers (value varchar(100))");
      await connection.query("INSERT INTO t.markers VALUES (?)", [marker]);
      const [rows] = await connection.query("SELECT value FROM t.markers WHERE value = ?", [marker]);
      return (rows as Array<{ value: string }>)[0]?.value ?? "";
    } finally {
      await connection.end();
    }
  },
  async rabbitmq(service, marker) {
    const connection = await amqplib.connect(service.url);
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue("markers", { durable: true });
      channel.sendToQueue("markers", Buffer.from(marker), { persistent: true });
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const message = await channel.get("markers", { noAck: true });
        if (message) return message.content.toString();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return "";
    } finally {
      await connection.close();
    }
  },
  async mosquitto(service, marker) {
    // Over the websockets listener, so both listeners are proven.
    const client = await mqtt.connectAsync(`ws://${service.host}:${service.ports.ws}/mqtt`, { reconnectPeriod: 0 });
    try {
      const received = new Promise<string>((resolve) => {
        client.on("message", (_topic, payload) => resolve(payload.toString()));
      });
      await client.subscribeAsync("markers", { qos: 1 });
      const plain = await mqtt.connectAsync(service.url, { reconnectPeriod: 0 });
      await plain.publishAsync("markers", marker, { qos: 1 });
      await plain.endAsync();
      return await received;
    } finally {
      await client.endAsync();
    }
  },
  async nats(service, marker) {
    const connection = await natsConnect({ servers: service.url, reconnect: false });
    try {
      const manager = await connection.jetstreamManager();
      await manager.streams.add({ name: `M${marker.replace(/\W/g, "")}`, subjects: [`markers.${marker.replace(/\W/g, "")}`] });
      const ack = await connection.jetstream().publish(`markers.${marker.replace(/\W/g, "")}`, new TextEncoder().encode(marker));
      const stored = await manager.streams.getMessage(ack.stream, { seq: ack.seq });
      return new TextDecoder().decode(stored.data);
    } finally {
      await connection.close();
    }
  },
};

const names: ServiceName[] = ["redis", "postgres", "mariadb", "rabbitmq", "mosquitto", "nats"];

describe.concurrent("startService: real servers on loopback", () => {
  const started: RunningService[] = [];
  afterAll(async () => {
    await Promise.all(started.map((service) => service.dispose()));
  });

  for (const name of names) {
    it(`${name}: starts, answers, survives stop/start on the same port, disposes`, { timeout: 300_000 }, async () => {
      const service = await startService(name);
      started.push(service);
      expect(service.host).toBe("127.0.0.1");
      expect(service.port).toBeGreaterThan(0);
      expect(existsSync(service.dataDir)).toBe(true);
      if (name === "mosquitto") expect(service.ports.ws).toBeGreaterThan(0);
      if (name === "nats") expect(service.ports.monitor).toBeGreaterThan(0);

      expect(await roundTrips[name](service, "first-1")).toBe("first-1");

      const portBefore = service.port;
      await service.stop();
      await expect(roundTrips[name](service, "while-down")).rejects.toBeTruthy();
      await service.start();
      expect(service.port).toBe(portBefore);
      expect(await roundTrips[name](service, "second-2")).toBe("second-2");

      await service.dispose();
      expect(existsSync(service.dataDir)).toBe(false);
    });
  }
});

describe("startService failure reporting", () => {
  it("a server that dies on start is reported at once with its log tail, not after the deadline", { timeout: 60_000 }, async () => {
    const redis = await startService("redis", { readyTimeoutMs: 30_000 });
    const squatter = createServer((socket) => socket.destroy());
    try {
      await redis.stop();
      // Take its port while it is down: the restart must fail fast and say why.
      await new Promise<void>((resolve, reject) => {
        squatter.once("error", reject);
        squatter.listen(redis.port, "127.0.0.1", () => resolve());
      });
      const started = Date.now();
      const error = await redis.start().then(
        () => undefined,
        (failure: unknown) => failure as Error,
      );
      expect(error?.message).toMatch(/redis on port \d+ exited with code 1 before it was ready/);
      expect(error?.message).toMatch(/Address already in use/i);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
      await redis.dispose();
    }
  });
});

describe("startService tls option", () => {
  it("is refused for servers other than rabbitmq (the RabbitMQ TLS listener is tested in target-amqp's amqp-tls test)", async () => {
    await expect(
      startService("redis", { tls: { certFile: "/nonexistent/cert.pem", keyFile: "/nonexistent/key.pem", caFile: "/nonexistent/ca.pem" } }),
    ).rejects.toThrow(/only supported for rabbitmq/);
  });
});

describe("startService durable option", () => {
  /** The settings that decide whether a commit waits for its log flush. */
  async function flushSettings(name: "postgres" | "mariadb", service: RunningService): Promise<string[]> {
    if (name === "postgres") {
      const client = new pg.Client({ connectionString: service.url });
      await client.connect();
      try {
        const settings: string[] = [];
        for (const setting of ["fsync", "synchronous_commit", "full_page_writes"]) {
          settings.push(`${setting}=${(await client.query<Record<string, string>>(`SHOW ${setting}`)).rows[0]?.[setting]}`);
        }
        return settings;
      } finally {
        await client.end();
      }
    }
    const connection = await mysql.createConnection({ host: service.host, port: service.port, user: "root" });
    try {
      const [rows] = await connection.query("SELECT @@innodb_flush_log_at_trx_commit AS flush");
      return [`innodb_flush_log_at_trx_commit=${(rows as Array<{ flush: number }>)[0]?.flush}`];
    } finally {
      await connection.end();
    }
  }

  it("keeps PostgreSQL's and MariaDB's commit flushes; without it the launcher turns them off", { timeout: 300_000 }, async () => {
    const services = await Promise.all([
      startService("postgres", { durable: true }),
      startService("postgres"),
      startService("mariadb", { durable: true }),
      startService("mariadb"),
    ]);
    try {
      const [durablePostgres, fastPostgres, durableMariadb, fastMariadb] = services as [RunningService, RunningService, RunningService, RunningService];
      expect(await flushSettings("postgres", durablePostgres)).toEqual(["fsync=on", "synchronous_commit=on", "full_page_writes=on"]);
      expect(await flushSettings("postgres", fastPostgres)).toEqual(["fsync=off", "synchronous_commit=off", "full_page_writes=off"]);
      expect(await flushSettings("mariadb", durableMariadb)).toEqual(["innodb_flush_log_at_trx_commit=1"]);
      expect(await flushSettings("mariadb", fastMariadb)).toEqual(["innodb_flush_log_at_trx_commit=0"]);
    } finally {
      await Promise.all(services.map((service) => service.dispose()));
    }
  });

  it("is refused for servers without commit flushes to keep", async () => {
    await expect(startService("redis", { durable: true })).rejects.toThrow(/durable option is only supported for postgres and mariadb/);
  });
});
