import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { connect, type Msg, type NatsConnection, type Subscription } from "nats";

// node-nats-streaming's own generated protobuf classes (google-protobuf), so that the wire format is
// exactly what the real client encodes and decodes.
// biome-ignore lint/suspicious/noExplicitAny: generated JS classes without typings
type ProtoClass = any;
const protocol = createRequire(import.meta.url)("node-nats-streaming/lib/pb/protocol_pb.js") as { pb: Record<string, ProtoClass> };
const pb = protocol.pb;

/** NATS Streaming start positions (protocol.proto StartPosition). */
const START = { NEW_ONLY: 0, LAST_RECEIVED: 1, TIME_DELTA_START: 2, SEQUENCE_START: 3, FIRST: 4 } as const;

/** One message the test server stored for a channel (subject). */
export interface StanStoredMessage {
  readonly subject: string;
  readonly sequence: number;
  readonly data: Buffer;
  readonly guid: string;
  readonly clientId: string;
  /** Unix ms when stored. */
  readonly timestamp: number;
}

/** How the test server answers PubMsg: ack it, refuse it with PubAck.error, or never answer. */
export type StanPublishMode = { readonly mode: "ack" } | { readonly mode: "fail"; readonly error: string } | { readonly mode: "silent" };

export interface NatsStreamingTestServerOptions {
  /** The real nats-server to ride on, e.g. RunningService.url of startService("nats"). */
  readonly url: string;
  /** Default `test-cluster`. */
  readonly clusterId?: string;
}

interface StanClient {
  readonly clientId: string;
  readonly connId: Uint8Array;
}

interface StanSubscription {
  readonly clientId: string;
  readonly subject: string;
  readonly inbox: string;
  readonly ackInbox: string;
  readonly acked: number[];
}

/**
 * A NATS Streaming (STAN) server double on top of a real nats-server: it answers the protocol that
 * node-nats-streaming 0.3 speaks (discover/connect, publish with PubAck, deliver-all and other
 * start positions for subscribers, acks, unsubscribe, close). Pings are switched off (ping_interval 0).
 * Messages live in memory, so they survive a restart of the nats-server underneath.
 */
export class NatsStreamingTestServer {
  readonly clusterId: string;
  /** Every PubMsg received, in arrival order, whatever the answer was. */
  readonly received: { readonly subject: string; readonly guid: string; readonly data: Buffer }[] = [];
  private readonly nc: NatsConnection;
  private readonly id = randomBytes(6).toString("hex");
  private readonly clientsById = new Map<string, StanClient>();
  private readonly subscriptions = new Map<string, StanSubscription>();
  private readonly channels = new Map<string, StanStoredMessage[]>();
  private readonly natsSubscriptions: Subscription[] = [];
  private publishMode: StanPublishMode = { mode: "ack" };
  private failures: { count: number; error: string } = { count: 0, error: "" };

  private constructor(nc: NatsConnection, clusterId: string) {
    this.nc = nc;
    this.clusterId = clusterId;
  }

  static async start(options: NatsStreamingTestServerOptions): Promise<NatsStreamingTestServer> {
    const nc = await connect({ servers: options.url, name: "s3notify nats-streaming test server", maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const server = new NatsStreamingTestServer(nc, options.clusterId ?? "test-cluster");
    server.listen();
    await nc.flush();
    return server;
  }

  /** Client ids connected now. */
  clients(): string[] {
    return [...this.clientsById.keys()];
  }

  /** Stored messages of one channel, or of all channels in store order. */
  messages(subject?: string): StanStoredMessage[] {
    if (subject !== undefined) return [...(this.channels.get(subject) ?? [])];
    return [...this.channels.values()].flat().sort((left, right) => left.timestamp - right.timestamp || left.sequence - right.sequence);
  }

  /** Sequences each subscriber acked, by subject. */
  acks(subject: string): number[] {
    return [...this.subscriptions.values()].filter((subscription) => subscription.subject === subject).flatMap((subscription) => subscription.acked);
  }

  /** Answer publishes from now on as told. */
  setPublishMode(mode: StanPublishMode): void {
    this.publishMode = mode;
  }

  /** Refuse the next `count` publishes with PubAck.error, then go back to the current mode. */
  failNextPublishes(count: number, error = "stan test server: publish refused"): void {
    this.failures = { count, error };
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    for (const subscription of this.natsSubscriptions) subscription.unsubscribe();
    await this.nc.close();
  }

  private subject(kind: string): string {
    return `_STAN.${kind}.${this.id}`;
  }

  private handle(subject: string, handler: (message: Msg) => void): void {
    this.natsSubscriptions.push(
      this.nc.subscribe(subject, {
        callback: (error, message) => {
          if (!error) handler(message);
        },
      }),
    );
  }

  private listen(): void {
    this.handle(`_STAN.discover.${this.clusterId}`, (message) => this.onConnect(message));
    this.handle(`${this.subject("pub")}.>`, (message) => this.onPublish(message));
    this.handle(this.subject("sub"), (message) => this.onSubscribe(message));
    this.handle(this.subject("unsub"), (message) => this.onUnsubscribe(message));
    this.handle(this.subject("subclose"), (message) => this.onUnsubscribe(message));
    this.handle(this.subject("close"), (message) => this.onClose(message));
    this.handle(this.subject("ping"), (message) => message.respond(new pb.PingResponse().serializeBinary()));
    this.handle(`${this.subject("ack")}.>`, (message) => this.onAck(message));
  }

  private onConnect(message: Msg): void {
    const request = pb.ConnectRequest.deserializeBinary(message.data);
    const clientId: string = request.getClientId();
    const response = new pb.ConnectResponse();
    if (this.clientsById.has(clientId)) {
      response.setError(`stan: clientID already registered`);
    } else {
      this.clientsById.set(clientId, { clientId, connId: request.getConnId_asU8() });
      response.setPubPrefix(this.subject("pub"));
      response.setSubRequests(this.subject("sub"));
      response.setUnsubRequests(this.subject("unsub"));
      response.setSubCloseRequests(this.subject("subclose"));
      response.setCloseRequests(this.subject("close"));
      response.setPingRequests(this.subject("ping"));
      // 0 switches the client's pings off.
      response.setPingInterval(0);
      response.setPingMaxOut(0);
      response.setProtocol(1);
    }
    message.respond(response.serializeBinary());
  }

  private onPublish(message: Msg): void {
    const publish = pb.PubMsg.deserializeBinary(message.data);
    const guid: string = publish.getGuid();
    const subject: string = publish.getSubject();
    const data = Buffer.from(publish.getData_asU8() as Uint8Array);
    this.received.push({ subject, guid, data });
    const ack = new pb.PubAck();
    ack.setGuid(guid);
    if (this.failures.count > 0) {
      this.failures.count--;
      ack.setError(this.failures.error);
    } else if (this.publishMode.mode === "silent") {
      return;
    } else if (this.publishMode.mode === "fail") {
      ack.setError(this.publishMode.error);
    } else {
      this.store({ subject, data, guid, clientId: publish.getClientId() });
    }
    if (message.reply) this.nc.publish(message.reply, ack.serializeBinary());
  }

  private store(entry: { subject: string; data: Buffer; guid: string; clientId: string }): void {
    const channel = this.channels.get(entry.subject) ?? [];
    this.channels.set(entry.subject, channel);
    const stored: StanStoredMessage = { ...entry, sequence: channel.length + 1, timestamp: Date.now() };
    channel.push(stored);
    for (const subscription of this.subscriptions.values()) if (subscription.subject === entry.subject) this.deliver(subscription, stored);
  }

  private deliver(subscription: StanSubscription, stored: StanStoredMessage): void {
    const message = new pb.MsgProto();
    message.setSequence(stored.sequence);
    message.setSubject(stored.subject);
    message.setData(new Uint8Array(stored.data));
    message.setTimestamp(stored.timestamp * 1_000_000);
    this.nc.publish(subscription.inbox, message.serializeBinary());
  }

  private onSubscribe(message: Msg): void {
    const request = pb.SubscriptionRequest.deserializeBinary(message.data);
    const response = new pb.SubscriptionResponse();
    const clientId: string = request.getClientId();
    if (!this.clientsById.has(clientId)) {
      response.setError("stan: unknown clientID");
      message.respond(response.serializeBinary());
      return;
    }
    const subscription: StanSubscription = {
      clientId,
      subject: request.getSubject(),
      inbox: request.getInbox(),
      ackInbox: `${this.subject("ack")}.${randomBytes(6).toString("hex")}`,
      acked: [],
    };
    this.subscriptions.set(subscription.ackInbox, subscription);
    response.setAckInbox(subscription.ackInbox);
    message.respond(response.serializeBinary());
    const channel = this.channels.get(subscription.subject) ?? [];
    const position: number = request.getStartPosition();
    let backlog: StanStoredMessage[] = [];
    if (position === START.FIRST) backlog = channel;
    else if (position === START.LAST_RECEIVED) backlog = channel.slice(-1);
    else if (position === START.SEQUENCE_START) backlog = channel.filter((stored) => stored.sequence >= Number(request.getStartSequence()));
    else if (position === START.TIME_DELTA_START) {
      const since = Date.now() - Number(request.getStartTimeDelta()) / 1_000_000;
      backlog = channel.filter((stored) => stored.timestamp >= since);
    }
    for (const stored of backlog) this.deliver(subscription, stored);
  }

  private onUnsubscribe(message: Msg): void {
    const request = pb.UnsubscribeRequest.deserializeBinary(message.data);
    this.subscriptions.delete(request.getInbox());
    message.respond(new pb.SubscriptionResponse().serializeBinary());
  }

  private onClose(message: Msg): void {
    const request = pb.CloseRequest.deserializeBinary(message.data);
    const clientId: string = request.getClientId();
    this.clientsById.delete(clientId);
    for (const [key, subscription] of this.subscriptions) if (subscription.clientId === clientId) this.subscriptions.delete(key);
    message.respond(new pb.CloseResponse().serializeBinary());
  }

  private onAck(message: Msg): void {
    const subscription = this.subscriptions.get(message.subject);
    if (!subscription) return;
    const ack = pb.Ack.deserializeBinary(message.data);
    subscription.acked.push(Number(ack.getSequence()));
  }
}
