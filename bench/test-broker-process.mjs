// Runs one of testkit's wire-protocol test brokers in its own process, as a real broker would be,
// so that its CPU work does not share the benchmark's event loop. Prints `{"address":"host:port"}`
// on stdout once listening; exits when stdin closes.
//
//   node bench/test-broker-process.mjs kafka|nsq      (needs `pnpm build` for testkit)

import { KafkaTestBroker, NsqTestServer } from "@s3notify/testkit";

const kind = process.argv[2];
let broker;
let address;
if (kind === "kafka") {
  // Like a real broker's retention.bytes: a run produces gigabytes, and a heap that only grows would tax later rounds.
  broker = await KafkaTestBroker.start({ retainBytes: 32 * 1024 * 1024 });
  address = broker.brokers[0];
} else if (kind === "nsq") {
  broker = await NsqTestServer.start({ maxMessageBytes: 10 * 1024 * 1024 });
  address = broker.address;
} else {
  console.error(`usage: test-broker-process.mjs kafka|nsq (got ${kind})`);
  process.exit(2);
}
process.stdout.write(`${JSON.stringify({ address })}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  await broker.close();
  process.exit(0);
});
