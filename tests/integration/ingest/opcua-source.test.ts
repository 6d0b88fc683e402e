import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusCodes } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcuaSource } from '../../../sim-server/ingest/opcua/index.js';
import { freePort } from './helpers/broker.js';
import { eventually, MemorySink } from './helpers/memory-sink.js';
import { startOpcuaServer } from './helpers/opcua-server.js';
import type { TestOpcuaServer } from './helpers/opcua-server.js';
import { wirePlant } from './fixtures/wire-plant.js';

// Reused across runs: the client's certificate is generated in pure JS on first use.
const PKI = join(tmpdir(), 'twinspace-test-opcua-client-pki');

describe('OpcuaSource against an in-test OPC-UA server', () => {
  let port: number;
  let server: TestOpcuaServer;
  let source: OpcuaSource;
  const sink = new MemorySink();

  beforeAll(async () => {
    port = await freePort();
    server = await startOpcuaServer(port);
    source = new OpcuaSource({
      plant: wirePlant({ prefix: 'opcua', opcuaEndpoint: server.endpoint, missingOpcuaNode: true }),
      pkiDir: PKI,
      aliveTimeoutMs: 3_000,
    });
    await source.start(sink);
  }, 120_000);

  afterAll(async () => {
    await source.stop();
    await server.stop();
  }, 60_000);

  it('delivers values with their source timestamps and maps status codes to quality', async () => {
    const measured = new Date(Date.now() - 5_000);
    server.set('R-1.TT-3', 42.5, StatusCodes.Good, measured);
    await eventually(() => sink.of('TT-3').some((r) => r.value === 42.5), 'TT-3 = 42.5');
    expect(sink.of('TT-3').find((r) => r.value === 42.5)).toEqual({
      sensorId: 'TT-3',
      t: measured.getTime(),
      value: 42.5,
      quality: 'good',
    });
    server.set('R-1.TT-3', 43, StatusCodes.UncertainLastUsableValue);
    await eventually(
      () => sink.of('TT-3').some((r) => r.value === 43 && r.quality === 'uncertain'),
      'uncertain 43',
    );
    server.set('R-1.TT-3', 44, StatusCodes.BadSensorFailure);
    await eventually(() => sink.of('TT-3').some((r) => r.quality === 'bad'), 'a bad TT-3');
    expect(Number.isNaN(sink.of('TT-3').find((r) => r.quality === 'bad')?.value)).toBe(true);
    server.set('R-1.TT-3', 9_999);
    await eventually(() => sink.reasons().includes('out_of_range'), 'an out_of_range rejection');
    expect(sink.rejections.find((r) => r.reason === 'out_of_range')?.origin).toContain(
      'ns=1;s=R-1.TT-3',
    );
  });

  it('reports a bound node the server does not have, and keeps monitoring the others', async () => {
    await eventually(() => sink.reasons().includes('unknown_node'), 'an unknown_node rejection');
    const rejection = sink.rejections.find((r) => r.reason === 'unknown_node');
    expect(rejection?.message).toContain('ns=1;s=R-1.Missing');
    expect(rejection?.message).toContain('TT-9');
    expect(rejection?.message).toContain('BadNodeIdUnknown');
    server.set('R-1.TT-3', 33);
    await eventually(() => sink.of('TT-3').some((r) => r.value === 33), 'TT-3 = 33');
  });

  it('applies the binding deadband: changes smaller than 1 % are not reported', async () => {
    server.set('V-2.ZT-2', 10);
    await eventually(() => sink.of('ZT-2').some((r) => r.value === 10), 'ZT-2 = 10');
    server.set('V-2.ZT-2', 10.4);
    server.set('R-1.TT-3', 60);
    await eventually(
      () => sink.of('TT-3').some((r) => r.value === 60),
      'TT-3 = 60, published after ZT-2 = 10.4',
    );
    server.set('V-2.ZT-2', 15);
    await eventually(() => sink.of('ZT-2').some((r) => r.value === 15), 'ZT-2 = 15');
    expect(sink.of('ZT-2').some((r) => r.value === 10.4)).toBe(false);
  });

  it('writes an actuator node and reports the StatusCode the server answered', async () => {
    expect(source.handles('V-2.POS')).toBe(true);
    expect(source.handles('V-1.POS')).toBe(false);
    await expect(source.write('V-2.POS', 0.8)).resolves.toEqual({ ok: true });
    expect(server.writes).toContain(0.8);
    await eventually(() => sink.of('ZT-2').some((r) => r.value === 80), 'ZT-2 confirming 80 %');
    server.refuseWrites = true;
    const refused = await source.write('V-2.POS', 0.3);
    server.refuseWrites = false;
    expect(refused).toMatchObject({
      ok: false,
      reason: expect.stringContaining('BadUserAccessDenied') as unknown,
    });
    await expect(source.write('V-2.POS', 2)).resolves.toMatchObject({
      ok: false,
      reason: expect.stringContaining('range') as unknown,
    });
  });

  it('recovers by itself when the server restarts on the same port: values flow again within seconds', async () => {
    const before = source.stats.endpoints[0]?.sessions ?? 0;
    await server.stop();
    server = await startOpcuaServer(port);
    const restartedAt = Date.now();
    // Keep the value moving so a restored monitored item has something to report.
    let value = 100;
    await eventually(
      () => {
        server.set('R-1.TT-3', (value += 0.5));
        return sink.of('TT-3').some((r) => r.value > 100);
      },
      'TT-3 values after the restart',
      60_000,
    );
    const recoveryMs = Date.now() - restartedAt;
    expect(source.stats.endpoints[0]?.sessions).toBeGreaterThan(before);
    await expect(source.write('V-2.POS', 0.1)).resolves.toEqual({ ok: true });
    console.log(`OPC-UA values flowed again ${recoveryMs} ms after the server came back`);
  }, 90_000);
});
