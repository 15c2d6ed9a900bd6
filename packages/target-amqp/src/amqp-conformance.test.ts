import type { EventRecord, LogEnvelope } from "@s3notify/core";
import { type ConformanceBackend, runTargetConformance, startService } from "@s3notify/testkit";
import amqp, { type Channel, type ChannelModel } from "amqplib";
import amqpTarget from "./index.js";

const EXCHANGE = "s3n-conformance";
const QUEUE = "s3n-conformance-all";

/**
 * A real RabbitMQ. Every scope is a routing key on one durable topic exchange; a durable catch-all
 * queue (bound with `#`, persistent messages) is drained by a consumer that reconnects after an outage.
 */
async function rabbitBackend(): Promise<ConformanceBackend> {
  const rabbit = await startService("rabbitmq");
  const arrived: { routingKey: string; body: string }[] = [];
  let consumer: { model: ChannelModel; channel: Channel; dead: boolean } | undefined;

  async function ensureConsumer(): Promise<void> {
    if (consumer && !consumer.dead) return;
    const model = await amqp.connect(rabbit.url);
    const channel = await model.createChannel();
    const current = { model, channel, dead: false };
    model.on("error", () => undefined);
    model.on("close", () => {
      current.dead = true;
    });
    await channel.assertExchange(EXCHANGE, "topic", { durable: true });
    await channel.assertQueue(QUEUE, { durable: true });
    await channel.bindQueue(QUEUE, EXCHANGE, "#");
    await channel.consume(QUEUE, (message) => {
      if (message) {
        arrived.push({ routingKey: message.fields.routingKey, body: message.content.toString("utf8") });
        channel.ack(message);
      }
    });
    consumer = current;
  }
  await ensureConsumer();

  return {
    config: (scope) => ({
      url: rabbit.url,
      exchange: EXCHANGE,
      exchange_type: "topic",
      durable: "on",
      routing_key: scope,
      delivery_mode: "2",
      publisher_confirms: "on",
      mandatory: "on",
    }),
    readEvents: async (scope) => {
      await ensureConsumer();
      return arrived.filter((entry) => entry.routingKey === scope).map((entry): EventRecord => (JSON.parse(entry.body) as LogEnvelope).Records[0]);
    },
    stop: () => rabbit.stop(),
    start: () => rabbit.start(),
    close: async () => {
      await consumer?.model.close().catch(() => undefined);
      await rabbit.dispose();
    },
  };
}

runTargetConformance({
  plugin: amqpTarget,
  backend: rabbitBackend,
  timeoutMs: 30_000,
  invalidConfigs: [
    { description: "empty url", values: { url: "" }, key: "url" },
    { description: "http url", values: { url: "http://guest:guest@127.0.0.1:5672" }, key: "url" },
    { description: "unknown exchange type", values: { exchange_type: "fanot" }, key: "exchange_type" },
    { description: "delivery mode 3", values: { delivery_mode: "3" }, key: "delivery_mode" },
  ],
});
