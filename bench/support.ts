// What every target benchmark needs: a realistic record and a target built the way core builds one.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { buildEventRecord, type EventRecord, silentLogger, type Target, type TargetPlugin } from "@s3notify/core";
import { fullTargetValues } from "@s3notify/testkit";

let sequence = 0;

/** A fresh PUT record of a 1 MiB JPEG, each with its own key (as an upload-heavy bucket produces). */
export function nextBenchRecord(): EventRecord {
  sequence += 1;
  return buildEventRecord({
    eventName: "s3:ObjectCreated:Put",
    bucket: "photos",
    key: `2024/holiday/IMG_${String(sequence).padStart(7, "0")}.jpg`,
    size: 1_048_576,
    eTag: "d41d8cd98f00b204e9800998ecf8427e",
    contentType: "image/jpeg",
    userMetadata: { "content-type": "image/jpeg" },
    request: { principalId: "minioadmin", sourceIp: "127.0.0.1", userAgent: "MinIO (linux; amd64) minio-go/v7.0.70" },
  });
}

/** A target from KV values layered over the plugin's defaults and core's common keys. */
export function makeBenchTarget<Config>(plugin: TargetPlugin<Config>, values: Record<string, string>): Target {
  const config = plugin.parseConfig(fullTargetValues(plugin, values), { targetId: "bench", subsystem: `notify_${plugin.type}` });
  return plugin.create(config, { targetId: { id: "bench", type: plugin.arnType }, logger: silentLogger });
}

/** A testkit test broker in its own process (bench/test-broker-process.mjs), as a real broker would run. */
export interface BrokerProcess {
  readonly address: string;
  close(): Promise<void>;
}

export async function startBrokerProcess(kind: "kafka" | "nsq"): Promise<BrokerProcess> {
  const child = spawn(process.execPath, [new URL("./test-broker-process.mjs", import.meta.url).pathname, kind], { stdio: ["pipe", "pipe", "inherit"] });
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  const { address } = JSON.parse(line) as { address: string };
  return {
    address,
    async close() {
      child.stdin.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}
