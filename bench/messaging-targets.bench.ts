// AMQP, MQTT and NATS JetStream targets: events/s when core hands the target one event per
// send() (awaited one at a time: one publish and its confirm / PUBACK / PubAck per event, what
// MinIO does) against batches of the target's maxBatchSize (256 for AMQP and MQTT, 1,024 for NATS: all
// publishes of the batch pipelined, the acknowledgements awaited together). Real servers (RabbitMQ 3.10, Mosquitto 2.0, nats-server 2.9) from the
// testkit launcher on loopback, started and disposed by this script.
//
//   npx tsx bench/messaging-targets.bench.ts      (BENCH_SECONDS=4 per target: 8 rounds, each
//   timing both modes back to back; the ratio is the median of the 8 round ratios)

import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventRecord, Target } from "@s3notify/core";
import { freePort, type RunningService, startService } from "@s3notify/testkit";
import amqp from "amqplib";
import { connect as natsConnect } from "nats";
import amqpTarget from "../packages/target-amqp/src/index.js";
import mqttTarget from "../packages/target-mqtt/src/index.js";
import natsTarget from "../packages/target-nats/src/index.js";
import { makeBenchTarget, nextBenchRecord, printTable, type RatioSpread, resultCells, spreadOf } from "./support.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "4");
const ROUNDS = 8;

// Core hands targets records it already built: build a pool before timing, so only the target's
// own work (envelope JSON, publish, acknowledgements) is measured.
const POOL = Array.from({ length: 4096 }, nextBenchRecord);
let cursor = 0;
function nextRecord(): EventRecord {
  cursor = (cursor + 1) % POOL.length;
  return POOL[cursor] as EventRecord;
}

/**
 * The machine is shared: the one-at-a-time and the batched case alternate in short rounds on one
 * open target each, so that a load spike hits both alike.
 */
async function compare(
  make: () => Target,
  beforeEachRun?: () => Promise<void>,
): Promise<{ single: number; batched: number; batchSize: number; medianRatio: number; roundRatios: RatioSpread }> {
  const targets = { single: make(), batched: make() };
  const batchSize = targets.batched.capabilities.maxBatchSize;
  const totals = { single: { events: 0, ms: 0 }, batched: { events: 0, ms: 0 } };
  const roundMs = (SECONDS * 1000) / ROUNDS / 2;
  // Warm up for one round's time, not timed: connections, and the JIT (a single-send path runs several times slower at first).
  for (const mode of ["single", "batched"] as const) {
    await targets[mode].open();
    await beforeEachRun?.();
    const warmUntil = performance.now() + roundMs;
    do await targets[mode].send(Array.from({ length: mode === "single" ? 1 : batchSize }, nextRecord));
    while (performance.now() < warmUntil);
  }
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rate = { single: 0, batched: 0 };
    for (const mode of ["single", "batched"] as const) {
      const size = mode === "single" ? 1 : batchSize;
      await beforeEachRun?.();
      const started = performance.now();
      const deadline = started + roundMs;
      let events = 0;
      while (performance.now() < deadline) {
        await targets[mode].send(Array.from({ length: size }, nextRecord));
        events += size;
      }
      const elapsed = performance.now() - started;
      totals[mode].events += events;
      totals[mode].ms += elapsed;
      rate[mode] = events / elapsed;
    }
    ratios.push(rate.batched / rate.single);
  }
  await targets.single.close();
  await targets.batched.close();
  ratios.sort((left, right) => left - right);
  const medianRatio = ((ratios[(ROUNDS - 1) >> 1] as number) + (ratios[ROUNDS >> 1] as number)) / 2;
  return {
    single: totals.single.events / (totals.single.ms / 1000),
    batched: totals.batched.events / (totals.batched.ms / 1000),
    batchSize,
    medianRatio,
    roundRatios: spreadOf(ratios),
  };
}

/**
 * A second Mosquitto with `set_tcp_nodelay true`. With the default (false) the broker's Nagle holds
 * back all PUBACKs of a pipelined batch but the first until the client's delayed ACK (~40 ms) fires,
 * so a batch costs at least 40 ms whatever its size.
 */
async function mosquittoDefaults(): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "s3notify-bench-mosquitto-"));
  const port = await freePort();
  const root = process.getuid?.() === 0 ? ["user root"] : [];
  await writeFile(join(dir, "mosquitto.conf"), [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", ...root, ""].join("\n"));
  const child = spawn("mosquitto", ["-c", join(dir, "mosquitto.conf")], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error("mosquitto (default settings) did not start");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const services: RunningService[] = [];
let extraMosquitto: { port: number; stop(): Promise<void> } | undefined;
const rows: { target: string; batchSize: number; perSecond: number; ratio: number; spread?: RatioSpread }[] = [];
try {
  const [rabbit, mosquitto, nats] = await Promise.all([startService("rabbitmq"), startService("mosquitto"), startService("nats")]);
  services.push(rabbit, mosquitto, nats);
  // The launcher's Mosquitto sets TCP_NODELAY; a second one keeps Mosquitto's default for comparison.
  extraMosquitto = await mosquittoDefaults();

  // A queue bound to the exchange, so that every confirm covers a routed (enqueued) message.
  const rabbitAdmin = await amqp.connect(rabbit.url);
  const channel = await rabbitAdmin.createChannel();
  await channel.assertExchange("bench", "fanout", { durable: false });
  await channel.assertQueue("bench", { durable: false, arguments: { "x-max-length": 10_000 } });
  await channel.bindQueue("bench", "bench", "");

  const natsAdmin = await natsConnect({ servers: nats.url });
  // No size limit (trimming a full stream would tax whichever case filled it): the stream is purged before each run instead.
  const jetstream = await natsAdmin.jetstreamManager();
  await jetstream.streams.add({ name: "BENCH", subjects: ["bench.>"] });
  const purgeStream = async (): Promise<void> => {
    await jetstream.streams.purge("BENCH");
  };

  const cases: [string, () => Target, (() => Promise<void>)?][] = [
    ["amqp (publisher_confirms)", () => makeBenchTarget(amqpTarget, { url: rabbit.url, exchange: "bench", exchange_type: "fanout", publisher_confirms: "on" })],
    [
      "mqtt (qos 1, Mosquitto defaults)",
      () => makeBenchTarget(mqttTarget, { broker: `tcp://127.0.0.1:${(extraMosquitto as { port: number }).port}`, topic: "bench/events", qos: "1" }),
    ],
    ["mqtt (qos 1, set_tcp_nodelay true)", () => makeBenchTarget(mqttTarget, { broker: `tcp://127.0.0.1:${mosquitto.port}`, topic: "bench/events", qos: "1" })],
    ["nats (jetstream)", () => makeBenchTarget(natsTarget, { address: `127.0.0.1:${nats.port}`, subject: "bench.events", jetstream: "on" }), purgeStream],
    ["nats (core, flush per send)", () => makeBenchTarget(natsTarget, { address: `127.0.0.1:${nats.port}`, subject: "bench.core" })],
  ];
  for (const [name, make, beforeEachRun] of cases) {
    const { single, batched, batchSize, medianRatio, roundRatios } = await compare(make, beforeEachRun);
    rows.push({ target: name, batchSize: 1, perSecond: single, ratio: 1 });
    rows.push({ target: name, batchSize, perSecond: batched, ratio: medianRatio, spread: roundRatios });
  }
  await rabbitAdmin.close();
  await natsAdmin.close();
} finally {
  await extraMosquitto?.stop();
  for (const service of services) await service.dispose();
}

/** Issue #5's goal: JetStream batched at least 10x (the others have none). */
const GOALS: Record<string, number | undefined> = { "nats (jetstream)": 10 };
console.log(`Messaging targets: events/s, ${SECONDS} s per target in ${ROUNDS} alternating rounds, one send() awaited at a time, loopback servers`);
printTable(
  ["target", "events per send()", "events/s", "vs one awaited publish (median of rounds)", "goal"],
  rows.map((row) => [row.target, ...resultCells(row.batchSize, row.perSecond, row.ratio, GOALS[row.target], row.spread)]),
);
