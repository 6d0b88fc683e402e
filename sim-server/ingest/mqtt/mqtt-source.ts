import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Reading } from '../../../digital-twin/index.js';
import { DEFAULT_READING_LIMITS } from '../payload/index.js';
import type { IngestRejection, LiveSource, ReadingSink, SourceWriteResult } from '../source.js';
import { SparkplugDecoder } from '../sparkplug/index.js';
import { AckWindow } from './ack-window.js';
import type { ParkedAck } from './ack-window.js';
import { confirmsCommand } from './command-confirmation.js';
import { MQTT_SOURCE_DEFAULTS } from './mqtt-source-options.js';
import type { MqttSourceOptions, SourceLog } from './mqtt-source-options.js';
import { PlainTopicDecoder } from './plain-topic-decoder.js';
import { backoffDelay, DEFAULT_BACKOFF } from './reconnect-backoff.js';
import { buildTopicMap } from './topic-map.js';
import type { TopicMap } from './topic-map.js';
import type { WireDecoder, WireOutcome } from './wire-decoder.js';

/** What the source has done so far; the server exposes it in `/metrics`. */
export interface MqttSourceStats {
  connected: boolean;
  /** QoS 1 messages received whose PUBACK waits for storage: the ingest queue depth. */
  ackWindowDepth: number;
  messages: number;
  readings: number;
  rejected: number;
  reconnects: number;
}

/** Readings received since the last flush, the acks they hold, and the commands they confirm. */
interface Batch {
  readings: Reading[];
  acks: ParkedAck[];
  /** Settled once the batch is stored: a command is confirmed when the twin can see it. */
  confirmations: (() => void)[];
}

interface PendingWrite {
  actuatorId: string;
  target: number;
  settle: (result: SourceWriteResult) => void;
}

/** Raw bytes kept with a rejection: enough to see what was wrong, never megabytes. */
const RAW_PREVIEW_BYTES = 1024;
// The broker keeps our session (subscriptions, unacked QoS 1 messages) this long while we are
// away; a week matches the oldest reading we accept.
const SESSION_EXPIRY_S = 7 * 24 * 3600;
const STORE_RETRY = Object.freeze({ initialMs: 100, maxMs: 5_000 });
// One sink call per this many readings at most: big enough to amortise a database round trip,
// small enough that one COPY stays well under a second.
const MAX_BATCH_READINGS = 2_000;

/** mqtt.js's private packet writer: the one place every outgoing PUBACK passes through. */
interface PacketSender {
  _sendPacket: (packet: { cmd: string; messageId?: number }, cb?: (error?: Error) => void) => void;
}

/**
 * The plant's MQTT sensors and actuators through one broker connection: plain JSON/number topics
 * with QoS 1 on a persistent session (acked only once stored), Sparkplug B node and device
 * topics, and commands published to each actuator's command topic, confirmed by a reading.
 */
export class MqttSource implements LiveSource {
  readonly name = 'mqtt';
  readonly #options: MqttSourceOptions;
  readonly #map: TopicMap;
  readonly #decoders: WireDecoder[];
  readonly #subscriptions: string[];
  readonly #window = new AckWindow();
  readonly #pendingWrites = new Set<PendingWrite>();
  readonly #now: () => number;
  readonly #log: SourceLog;
  #client: MqttClient | undefined;
  #sink: ReadingSink | undefined;
  #generation = 0;
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #stopping = false;
  #stats = { messages: 0, readings: 0, rejected: 0, reconnects: 0 };
  #onSubscribed: (() => void) | undefined;
  #batch: Batch = { readings: [], acks: [], confirmations: [] };
  #flushScheduled = false;

  constructor(options: MqttSourceOptions) {
    this.#options = Object.freeze({ ...options });
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => undefined);
    const limits = options.limits ?? DEFAULT_READING_LIMITS;
    this.#map = buildTopicMap(options.plant);
    const sparkplug = new SparkplugDecoder(options.plant, limits);
    this.#decoders = [new PlainTopicDecoder(this.#map, limits), sparkplug];
    this.#subscriptions = [...this.#map.subscriptions, ...sparkplug.subscriptions];
  }

  get running(): boolean {
    return this.#client !== undefined && !this.#stopping;
  }

  get stats(): MqttSourceStats {
    return {
      connected: this.#client?.connected ?? false,
      ackWindowDepth: this.#window.depth,
      ...this.#stats,
    };
  }

  /** The topic filters this source subscribes to. */
  get subscriptions(): readonly string[] {
    return this.#subscriptions;
  }

  handles(actuatorId: string): boolean {
    return this.#map.commands.has(actuatorId);
  }

  /**
   * Connects and subscribes. Resolves once subscribed, or after `startTimeoutMs` if the broker is
   * not reachable yet (it keeps retrying with backoff: a plant network may come up after us).
   */
  async start(sink: ReadingSink): Promise<void> {
    if (this.#client) throw new Error('Invariant: MqttSource.start called twice');
    this.#sink = sink;
    this.#stopping = false;
    const subscribed = new Promise<void>((resolve) => {
      this.#onSubscribed = resolve;
    });
    this.#client = mqtt.connect(this.#options.url, this.#clientOptions());
    this.#interceptAcks(this.#client);
    this.#client.on('connect', (connack) => this.#connected(connack.sessionPresent));
    this.#client.on('close', () => this.#closed());
    // Every QoS arrives here. Not through mqtt.js's `customHandleAcks`: mqtt.js handles the next
    // packet only after that callback answers, so holding it until storage would store one
    // message per round trip. mqtt.js emits `message` before it sends the PUBACK, so the message
    // is registered in the ack window by the time `#interceptAcks` parks its PUBACK.
    this.#client.on('message', (topic, message, packet) => this.#receive(topic, message, packet));
    this.#client.on('error', (error) => this.#log('warn', `mqtt: ${error.message}`));
    const timeoutMs = this.#options.startTimeoutMs ?? MQTT_SOURCE_DEFAULTS.startTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#log(
          'warn',
          `mqtt: ${this.#options.url} not reachable within ${timeoutMs} ms; still trying`,
        );
        resolve();
      }, timeoutMs);
    });
    await Promise.race([subscribed, timedOut]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    this.#stopping = true;
    clearTimeout(this.#reconnectTimer);
    for (const pending of this.#pendingWrites)
      pending.settle({ ok: false, reason: 'the MQTT source stopped' });
    this.#pendingWrites.clear();
    // Unacked messages stay in the broker's session and come back on the next start.
    await Promise.race([
      client.endAsync(!client.connected),
      new Promise((resolve) => setTimeout(resolve, 2_000)),
    ]);
    client.end(true);
    this.#client = undefined;
  }

  /**
   * Publishes `{"value","t"}` with QoS 1 to the actuator's command topic and resolves once its
   * confirming sensor shows the value (or, without a confirming sensor, once the broker has it).
   */
  async write(actuatorId: string, value: number): Promise<SourceWriteResult> {
    const binding = this.#map.commands.get(actuatorId);
    if (!binding) return { ok: false, reason: `actuator ${actuatorId} is not bound to MQTT` };
    const { min, max } = binding.actuator.range;
    if (!Number.isFinite(value) || value < min || value > max) {
      return { ok: false, reason: `value ${value} is outside ${actuatorId}'s range ${min}…${max}` };
    }
    const client = this.#client;
    if (!client || this.#stopping) return { ok: false, reason: 'the MQTT source is not running' };
    const timeoutMs = this.#options.commandTimeoutMs ?? MQTT_SOURCE_DEFAULTS.commandTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let pending: PendingWrite | undefined;
    const confirmed = new Promise<SourceWriteResult>((resolve) => {
      timer = setTimeout(() => {
        resolve({
          ok: false,
          reason: binding.confirmSensor
            ? `no reading of ${binding.confirmSensor.id} confirmed ${actuatorId} = ${value} within ${timeoutMs} ms`
            : `the broker did not take the command for ${actuatorId} within ${timeoutMs} ms`,
        });
      }, timeoutMs);
      if (binding.confirmSensor) {
        pending = { actuatorId, target: value, settle: resolve };
        this.#pendingWrites.add(pending);
      }
    });
    const payload = JSON.stringify({ value, t: this.#now() });
    const published = client.publishAsync(binding.commandTopic, payload, { qos: 1 }).then(
      (): SourceWriteResult => ({ ok: true }),
      (error: unknown): SourceWriteResult => ({
        ok: false,
        reason: `publishing to ${binding.commandTopic} failed: ${error instanceof Error ? error.message : String(error)}`,
      }),
    );
    try {
      if (!binding.confirmSensor) return await Promise.race([published, confirmed]);
      const first = await Promise.race([published.then((r) => (r.ok ? confirmed : r)), confirmed]);
      return first;
    } finally {
      clearTimeout(timer);
      if (pending) this.#pendingWrites.delete(pending);
    }
  }

  #clientOptions(): IClientOptions {
    const o = this.#options;
    const version = o.protocolVersion ?? 5;
    const options: IClientOptions = {
      clientId: o.clientId,
      clean: false,
      protocolVersion: version,
      // Reconnects are ours (below) so they can back off; mqtt.js only knows a fixed period.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      resubscribe: false,
    };
    if (version === 5) {
      options.properties = {
        sessionExpiryInterval: SESSION_EXPIRY_S,
        receiveMaximum: o.maxInFlight ?? MQTT_SOURCE_DEFAULTS.maxInFlight,
      };
    }
    if (o.username !== undefined) options.username = o.username;
    if (o.password !== undefined) options.password = o.password;
    if (o.tls) {
      if (o.tls.ca !== undefined) options.ca = o.tls.ca;
      if (o.tls.cert !== undefined) options.cert = o.tls.cert;
      if (o.tls.key !== undefined) options.key = o.tls.key;
      options.rejectUnauthorized = o.tls.rejectUnauthorized ?? true;
    }
    return options;
  }

  /** Parks each PUBACK mqtt.js sends until its message's readings are stored (see AckWindow). */
  #interceptAcks(client: MqttClient): void {
    const sender = client as unknown as PacketSender;
    const send = sender._sendPacket.bind(client);
    sender._sendPacket = (packet, cb) => {
      if (packet.cmd !== 'puback' || packet.messageId === undefined) return send(packet, cb);
      const generation = this.#generation;
      const parked = this.#window.park(generation, packet.messageId, () => {
        // A PUBACK for an earlier connection's packet id would ack some other message.
        if (client.connected && generation === this.#generation) send(packet);
      });
      if (!parked) return send(packet, cb);
      // Let mqtt.js go on to the next message now; the ack itself goes out when due.
      cb?.();
    };
  }

  #connected(sessionPresent: boolean): void {
    this.#generation += 1;
    this.#window.dropOtherGenerations(this.#generation);
    this.#attempt = 0;
    this.#log(
      'info',
      `mqtt: connected to ${this.#options.url} (session ${sessionPresent ? 'resumed' : 'new'})`,
    );
    const client = this.#client;
    if (!client) return;
    // Subscribing again on a resumed session is harmless and repairs a session the broker lost.
    const filters = Object.fromEntries(this.#subscriptions.map((f) => [f, { qos: 1 as const }]));
    client.subscribe(filters, (error) => {
      if (error) {
        this.#log(
          'error',
          `mqtt: subscribing to ${this.#subscriptions.join(', ')} failed: ${error.message}`,
        );
        return;
      }
      this.#onSubscribed?.();
      this.#onSubscribed = undefined;
    });
  }

  #closed(): void {
    if (this.#stopping || this.#reconnectTimer !== undefined) return;
    const delay = backoffDelay(
      this.#attempt,
      this.#options.backoff ?? DEFAULT_BACKOFF,
      Math.random(),
    );
    this.#attempt += 1;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#stopping || !this.#client) return;
      this.#stats.reconnects += 1;
      this.#client.reconnect();
    }, delay);
  }

  #receive(topic: string, message: Buffer, packet: { qos: number; messageId?: number }): void {
    this.#stats.messages += 1;
    const outcome = this.#decode(topic, message);
    for (const reply of outcome.replies) {
      this.#client?.publish(reply.topic, Buffer.from(reply.payload), { qos: reply.qos });
    }
    if (outcome.rejections.length > 0) this.#reject(topic, message, outcome);
    if (outcome.readings.length > 0) this.#confirmWrites(outcome.readings);
    this.#stats.readings += outcome.readings.length;
    const batch = this.#batch;
    for (const reading of outcome.readings) batch.readings.push(reading);
    if (packet.qos > 0 && packet.messageId !== undefined) {
      batch.acks.push(this.#window.open(this.#generation, packet.messageId));
    }
    if (batch.readings.length >= MAX_BATCH_READINGS) this.#flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  /**
   * Hands the readings of every message received since the last flush to the sink in one call
   * (mqtt.js delivers a socket read's worth of messages before `setImmediate` runs), and acks
   * those messages once that one call resolves: a database sink stores a batch per round trip.
   */
  #flush(): void {
    this.#flushScheduled = false;
    const { readings, acks, confirmations } = this.#batch;
    if (readings.length === 0 && acks.length === 0) return;
    this.#batch = { readings: [], acks: [], confirmations: [] };
    void this.#store(readings, 'mqtt').then((stored) => {
      if (!stored) return;
      for (const ack of acks) this.#window.stored(ack, this.#generation);
      for (const confirm of confirmations) confirm();
    });
  }

  #decode(topic: string, message: Buffer): WireOutcome {
    const receivedAt = this.#now();
    for (const decoder of this.#decoders) {
      if (decoder.claims(topic)) return decoder.decode(topic, message, receivedAt);
    }
    if (this.#map.commandTopics.has(topic)) return { readings: [], rejections: [], replies: [] };
    return {
      readings: [],
      rejections: [{ reason: 'unknown_topic', message: `topic: no sensor is bound to "${topic}"` }],
      replies: [],
    };
  }

  #reject(topic: string, message: Buffer, outcome: WireOutcome): void {
    const raw = message.subarray(0, RAW_PREVIEW_BYTES).toString('utf8');
    for (const { reason, message: detail } of outcome.rejections) {
      this.#stats.rejected += 1;
      const rejection: IngestRejection = { reason, message: detail, origin: topic, raw };
      this.#sink?.reject(rejection);
    }
  }

  #confirmWrites(readings: readonly Reading[]): void {
    if (this.#pendingWrites.size === 0) return;
    const tolerance = this.#options.confirmTolerance ?? MQTT_SOURCE_DEFAULTS.confirmTolerance;
    for (const pending of this.#pendingWrites) {
      const binding = this.#map.commands.get(pending.actuatorId);
      const sensor = binding?.confirmSensor;
      if (!binding || !sensor) continue;
      for (const reading of readings) {
        if (confirmsCommand(binding.actuator, pending.target, sensor, reading, tolerance)) {
          this.#pendingWrites.delete(pending);
          this.#batch.confirmations.push(() => pending.settle({ ok: true }));
          break;
        }
      }
    }
  }

  /** Stores until it works: while storage is down the window stays full and the broker holds the rest. */
  async #store(readings: Reading[], origin: string): Promise<boolean> {
    if (readings.length === 0) return true;
    for (let attempt = 0; ; attempt += 1) {
      const sink = this.#sink;
      if (!sink || this.#stopping) return false;
      try {
        await sink.accept(readings, origin);
        return true;
      } catch (error) {
        if (this.#stopping) return false;
        this.#log(
          'warn',
          `mqtt: storing readings from ${origin} failed (${error instanceof Error ? error.message : String(error)}); retrying`,
        );
        await new Promise((resolve) =>
          setTimeout(resolve, backoffDelay(attempt, STORE_RETRY, Math.random())),
        );
      }
    }
  }
}
