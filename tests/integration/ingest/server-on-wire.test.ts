/**
 * The whole path with real protocols: `npm run plant` (the simulator as a separate process) →
 * Mosquitto and its own OPC-UA server → a Twinspace server process (MQTT_URL, OPCUA_ENDPOINTS) →
 * colyseus.js clients; commands travel back through each protocol. Then the faults: the broker
 * restarts, the Twinspace server is SIGKILLed and restarted, the OPC-UA server restarts — and
 * every QoS 1 reading the plant had acknowledged by its broker is in the database exactly once.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, getJson, joinPlant, spawnServer, waitFor } from '../server/helpers.js';
import type { ServerProcess, TestClient } from '../server/helpers.js';
import { freePort, startBroker } from './helpers/broker.js';
import type { TestBroker } from './helpers/broker.js';
import { spawnPlant } from './helpers/plant-process.js';
import type { PlantProcess } from './helpers/plant-process.js';
import { writeWiredDemoPlant } from './fixtures/wired-demo-plant.js';

// The plant's OPC-UA server keeps its certificate under DATA_DIR; reused so later runs skip generating it.
const PLANT_DATA_DIR = join(tmpdir(), 'twinspace-test-plant-on-wire-data');
/** Cooling water (MQTT JSON), reactor zone (OPC-UA), utilities (Sparkplug B). */
const KEEP = ['P-201', 'P-202', 'V-201', 'R-101', 'V-104', 'C-401'];
const MQTT_JSON_SENSOR = 'P-201.FT-01';
const SPARKPLUG_SENSOR = 'C-401.PT-01';
const OPCUA_SENSOR = 'R-101.TT-01';

describe('Twinspace fed by a plant on the wire', () => {
  const prefix = `sw${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'twinspace-server-on-wire-'));
  const startedAt = Date.now();
  let broker: TestBroker;
  let plantArgs: string[];
  let plant: PlantProcess | undefined;
  let server: ServerProcess | undefined;
  let alice: TestClient | undefined;
  let plantPath: string;
  let endpoint: string;
  /** What each plant process reported when it stopped. */
  const acked: Record<string, number>[] = [];

  const startServer = async (): Promise<ServerProcess> => {
    server = await spawnServer({
      DATA_DIR: join(dir, 'data'),
      PLANT: plantPath,
      SCENARIO: 'none',
      TIME_SCALE: '1',
      PATCH_RATE_MS: '100',
      MQTT_URL: broker.url,
      MQTT_CLIENT_ID: `twinspace-${prefix}`,
      MQTT_PROTOCOL_VERSION: String(broker.protocolVersion),
      OPCUA_ENDPOINTS: endpoint,
    });
    return server;
  };
  const base = (): string => `http://127.0.0.1:${server?.port ?? 0}/`;
  const sensor = (id: string) => alice?.state().sensors.get(id);
  /** Waits for a good reading of `id` stamped after `since` in the room. */
  const freshReading = (id: string, since: number, timeoutMs = 30_000) =>
    waitFor(
      () => {
        const s = sensor(id);
        return s !== undefined && s.quality === 'good' && s.t > since ? s : undefined;
      },
      `a good reading of ${id} after ${new Date(since).toISOString()}`,
      timeoutMs,
    );

  beforeAll(async () => {
    broker = await startBroker();
    const opcuaPort = await freePort();
    endpoint = `opc.tcp://127.0.0.1:${opcuaPort}`;
    plantPath = writeWiredDemoPlant(dir, { prefix, group: `g-${prefix}`, endpoint, keep: KEEP });
    plantArgs = ['--mqtt', broker.url, '--opcua-port', String(opcuaPort), '--plant', plantPath];
    // The server first: its subscription must exist before the plant publishes, or the broker
    // would acknowledge readings to the plant that no session was there to receive.
    await startServer();
    plant = await spawnPlant([...plantArgs, '--seed', '3'], PLANT_DATA_DIR);
    alice = await joinPlant(`ws://127.0.0.1:${server?.port ?? 0}`, 'Alice');
  }, 180_000);

  afterAll(async () => {
    await alice?.leave();
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    await plant?.stop().catch(() => undefined);
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('shows the values of MQTT JSON, Sparkplug B and OPC-UA sensors to a colyseus.js client', async () => {
    expect(server?.output()).toMatch(/sensors\s+\d+ from MQTT \+ OPC-UA/);
    for (const id of [MQTT_JSON_SENSOR, SPARKPLUG_SENSOR, OPCUA_SENSOR])
      await freshReading(id, startedAt, 60_000);
    // Only the wire delivers these sensors (the server's simulator readings for them are dropped),
    // and /metrics counts what came in by protocol.
    const metrics = await (await fetch(new URL('/metrics', base()))).text();
    expect(
      Number(/twinspace_ingest_readings_total\{source="mqtt"\} (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThan(0);
    expect(
      Number(/twinspace_ingest_readings_total\{source="opcua"\} (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThan(0);
    expect(metrics).toMatch(/twinspace_ingest_connected\{source="mqtt"\} 1/);
    expect(metrics).toMatch(/twinspace_ingest_queue_depth \d+/);
  }, 120_000);

  it('moves a valve through MQTT and one through OPC-UA, and the acks say so', async () => {
    const client = alice as TestClient;
    const viaMqtt = await client.command({
      type: 'valve.actuate',
      commandId: `mqtt-${prefix}`,
      actuatorId: 'V-201.POS',
      position: 0.25,
    });
    // Accepted only once the plant's position reading confirmed the move.
    expect(viaMqtt).toMatchObject({ status: 'accepted' });
    expect(Math.abs((sensor('V-201.ZT-01')?.value ?? 0) - 25)).toBeLessThan(3);
    expect(client.state().actuators.get('V-201.POS')?.value).toBeCloseTo(0.25);

    // Nothing is written over OPC-UA until the operator confirms: the valve's own position
    // reading stays where it was while the request waits, and after a cancel.
    const before = sensor('V-104.ZT-01')?.value ?? 0;
    expect(Math.abs(before - 35)).toBeGreaterThan(5);
    const cancelled = await client.request({
      type: 'valve.actuate',
      commandId: `opcua-cancel-${prefix}`,
      actuatorId: 'V-104.POS',
      position: 0.35,
    });
    expect(cancelled.confirm?.summary).toMatch(/V-104/);
    await sleep(3_000);
    expect(await client.confirm(`opcua-cancel-${prefix}`, true)).toMatchObject({
      status: 'rejected',
    });
    await sleep(2_000);
    expect(Math.abs((sensor('V-104.ZT-01')?.value ?? 0) - before)).toBeLessThan(3);
    expect(client.state().actuators.get('V-104.POS')?.value).not.toBeCloseTo(0.35);

    const pending = await client.request({
      type: 'valve.actuate',
      commandId: `opcua-${prefix}`,
      actuatorId: 'V-104.POS',
      position: 0.35,
    });
    expect(pending.confirm).toBeDefined();
    await sleep(3_000);
    expect(Math.abs((sensor('V-104.ZT-01')?.value ?? 0) - before)).toBeLessThan(3);
    const viaOpcua = await client.confirm(`opcua-${prefix}`);
    expect(viaOpcua).toMatchObject({ status: 'accepted' });
    await waitFor(
      () => Math.abs((sensor('V-104.ZT-01')?.value ?? 0) - 35) < 3,
      'V-104 to report 35 % over OPC-UA',
      30_000,
    );
  }, 120_000);

  it('loses nothing across a broker restart, a SIGKILL of the server and an OPC-UA server restart', async () => {
    // The broker restarts mid-stream; MQTT readings flow again afterwards.
    if (broker.persistent) {
      await broker.restart();
      await freshReading(MQTT_JSON_SENSOR, Date.now(), 60_000);
    }

    // The Twinspace server dies without a goodbye while the plant keeps publishing.
    const killed = server as ServerProcess;
    await alice?.leave();
    killed.child.kill('SIGKILL');
    await exited(killed.child, 'the server to die');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await startServer();
    expect(server?.output()).toContain('recovered');
    alice = await joinPlant(`ws://127.0.0.1:${server?.port ?? 0}`, 'Alice');
    await freshReading(MQTT_JSON_SENSOR, Date.now(), 60_000);

    // The OPC-UA server (inside the plant process) restarts; values flow again within seconds.
    acked.push((await (plant as PlantProcess).stop()).mqttAcked);
    plant = await spawnPlant([...plantArgs, '--seed', '4'], PLANT_DATA_DIR);
    const restarted = Date.now();
    await freshReading(OPCUA_SENSOR, restarted, 30_000);
    const flowingAfterMs = Date.now() - restarted;
    expect(flowingAfterMs).toBeLessThan(30_000);

    // Stop publishing, then count: every reading the broker acknowledged to the plant is stored once.
    acked.push((await plant.stop()).mqttAcked);
    plant = undefined;
    const expected = new Map<string, number>();
    for (const report of acked)
      for (const [id, n] of Object.entries(report)) expected.set(id, (expected.get(id) ?? 0) + n);
    expect(expected.size).toBe(16); // the plain-MQTT sensors of P-201, P-202 and V-201
    const from = startedAt - 60_000;
    const stored = async (id: string): Promise<number> => {
      const { body } = await getJson(
        base(),
        `/api/v1/sensors/${encodeURIComponent(id)}/readings?from=${from}&to=${Date.now() + 60_000}`,
      );
      return (body['readings'] as unknown[] | undefined)?.length ?? -1;
    };
    const counts = await waitFor(
      async () => {
        const seen = new Map<string, number>();
        for (const id of expected.keys()) seen.set(id, await stored(id));
        return [...expected].every(([id, n]) => seen.get(id) === n) ? seen : undefined;
      },
      'every acknowledged reading to be stored',
      60_000,
    ).catch(async () => {
      const seen = new Map<string, number>();
      for (const id of expected.keys()) seen.set(id, await stored(id));
      return seen;
    });
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(expected));
  }, 300_000);
});
