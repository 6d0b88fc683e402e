/**
 * QoS 1 acknowledgements held back until the readings they carry are durably stored.
 *
 * mqtt.js hands us messages one at a time and sends each PUBACK as soon as we return, so to ack
 * only after storage without storing one message per round trip, the PUBACK packets are parked
 * here and released when their message's store resolves. MQTT requires PUBACKs in the order the
 * PUBLISHes arrived (3.1.1 §4.6), so a later message stored first waits for the earlier ones.
 * Entries belong to one connection (`generation`): after a reconnect the broker redelivers
 * whatever was not acked, so parked acks of an old connection are dropped, never sent late.
 */
export interface ParkedAck {
  readonly generation: number;
  readonly messageId: number;
  stored: boolean;
  /** Sends the PUBACK; set when mqtt.js tries to send it. */
  send: (() => void) | undefined;
}

export class AckWindow {
  #queue: ParkedAck[] = [];
  #head = 0;

  /** Acks waiting for storage or for an earlier ack. */
  get depth(): number {
    return this.#queue.length - this.#head;
  }

  /** Registers a QoS 1 message as it arrives. */
  open(generation: number, messageId: number): ParkedAck {
    const entry: ParkedAck = { generation, messageId, stored: false, send: undefined };
    this.#queue.push(entry);
    return entry;
  }

  /** Attaches mqtt.js's PUBACK to the newest open entry for that id; false when none is parked. */
  park(generation: number, messageId: number, send: () => void): boolean {
    for (let i = this.#queue.length - 1; i >= this.#head; i -= 1) {
      const entry = this.#queue[i];
      if (
        entry &&
        entry.generation === generation &&
        entry.messageId === messageId &&
        !entry.send
      ) {
        entry.send = send;
        this.#release(generation);
        return true;
      }
    }
    return false;
  }

  /** Marks a message's readings stored and sends every ack now due, in arrival order. */
  stored(entry: ParkedAck, currentGeneration: number): void {
    entry.stored = true;
    this.#release(currentGeneration);
  }

  /** Drops acks of connections other than `generation`: the broker will redeliver them. */
  dropOtherGenerations(generation: number): void {
    this.#queue = this.#queue.slice(this.#head).filter((e) => e.generation === generation);
    this.#head = 0;
  }

  #release(currentGeneration: number): void {
    for (;;) {
      const entry = this.#queue[this.#head];
      if (entry === undefined) break;
      if (entry.generation !== currentGeneration) {
        this.#head += 1;
        continue;
      }
      if (!entry.stored || entry.send === undefined) break;
      this.#head += 1;
      entry.send();
    }
    // Compact now and then so a long-lived window does not keep every entry it ever saw.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
