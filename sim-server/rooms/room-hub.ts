/**
 * What the HTTP side may know about the live room: who is connected and which commands were
 * answered recently. The room writes it; /ws/status reads it. No Colyseus types leak out.
 */
import type { ClientInfo, RecentCommand } from '../http/api-routes.js';

/** How many answered commands /ws/status shows. */
export const RECENT_COMMANDS = 50;

export class RoomHub {
  readonly #clients = new Map<string, ClientInfo>();
  readonly #recent: RecentCommand[] = [];

  setClient(info: ClientInfo): void {
    this.#clients.set(info.sessionId, info);
  }

  removeClient(sessionId: string): void {
    this.#clients.delete(sessionId);
  }

  clearClients(): void {
    this.#clients.clear();
  }

  /** Connected (and reconnecting) clients, in join order. */
  clients(): ClientInfo[] {
    return [...this.#clients.values()].map((info) => ({ ...info }));
  }

  /** Counts clients that hold a live connection. */
  connectedCount(): number {
    let n = 0;
    for (const info of this.#clients.values()) if (info.connected) n += 1;
    return n;
  }

  recordCommand(entry: RecentCommand): void {
    this.#recent.push(entry);
    if (this.#recent.length > RECENT_COMMANDS)
      this.#recent.splice(0, this.#recent.length - RECENT_COMMANDS);
  }

  /** The latest answered commands, newest last. */
  recentCommands(): RecentCommand[] {
    return this.#recent.map((entry) => ({ ...entry }));
  }
}
