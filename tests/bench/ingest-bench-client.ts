/**
 * The ingest bench's colyseus.js client, in its own process so decoding patches does not share
 * the server's event loop: joins the plant room and, between the parent's `measure` and `stop`,
 * records `seen − t` for every sensor time change it is sent (`t` is the publisher's stamp).
 * Run with `fork(file, [wsUrl], { execArgv: ['--import', 'tsx'] })`.
 */
import { Client, getStateCallbacks } from 'colyseus.js';
import type { Room } from 'colyseus.js';

export type ToProbe = { type: 'measure' } | { type: 'stop' };
export type FromProbe = { type: 'joined' } | { type: 'latencies'; latencies: number[] };

interface StateView {
  sensors: Map<string, { t: number }>;
}

async function main(): Promise<void> {
  const wsUrl = process.argv[2];
  if (wsUrl === undefined) throw new Error('usage: ingest-bench-client.ts <wsUrl>');
  const room: Room<StateView> = await new Client(wsUrl).joinOrCreate<StateView>('plant', {
    name: 'ingest bench',
    token: process.env['TWINSPACE_BENCH_TOKEN'],
  });
  let measuring = false;
  let latencies: number[] = [];
  const $ = getStateCallbacks(room);
  $(room.state).sensors.onAdd((sensor) => {
    $(sensor).listen('t', (t: number) => {
      if (measuring) latencies.push(Date.now() - t);
    });
  });
  process.on('message', (message: ToProbe) => {
    if (message.type === 'measure') {
      latencies = [];
      measuring = true;
      return;
    }
    measuring = false;
    process.send?.({ type: 'latencies', latencies } satisfies FromProbe);
  });
  process.on('disconnect', () => {
    void room
      .leave(true)
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
  process.send?.({ type: 'joined' } satisfies FromProbe);
}

await main();
