/**
 * The one wrapper every room message handler runs in: a bug inside a handler is logged, counted
 * and answered with an `internal` rejection, never thrown into Colyseus (which would drop the
 * client or the room).
 */
import type { Client } from '@colyseus/core';
import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';

export function guardMessage(
  deps: { log: Logger; metrics: ServerMetrics },
  room: string,
  client: Client,
  type: string,
  handler: () => void,
): void {
  try {
    handler();
  } catch (error) {
    deps.log.error(`${room}: ${type} message from ${client.sessionId} failed`, error);
    deps.metrics.reject('internal');
    try {
      client.send('ack', {
        commandId: null,
        status: 'rejected',
        code: 'internal',
        reason: 'the server failed to handle this message',
      });
    } catch {
      // The client is gone; nothing to answer.
    }
  }
}
