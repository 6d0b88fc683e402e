import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePlant } from '../../../digital-twin/index.js';
import { MqttSource } from '../../../sim-server/ingest/mqtt/index.js';
import { OpcuaSource } from '../../../sim-server/ingest/opcua/index.js';
import { freePort, sharedBroker } from './helpers/broker.js';
import type { TestBroker } from './helpers/broker.js';
import { eventually, MemorySink } from './helpers/memory-sink.js';
import { spawnPlant } from './helpers/plant-process.js';
import type { PlantProcess } from './helpers/plant-process.js';
import { wirePlantFile } from './fixtures/wire-plant.js';

const CLIENT_PKI = join(tmpdir(), 'twinspace-test-opcua-client-pki');
// The plant's OPC-UA server keeps its certificate under DATA_DIR; reused so later runs skip generating it.
const PLANT_DATA_DIR = join(tmpdir(), 'twinspace-test-plant-on-wire-data');

describe('plant on the wire, end to end through the real adapters', () => {
  let broker: TestBroker;
  let plantProcess: PlantProcess | undefined;
  let dir: string;
  let mqttSource: MqttSource;
  let opcuaSource: OpcuaSource;
  const sink = new MemorySink();

  beforeAll(async () => {
    broker = await sharedBroker();
    const port = await freePort();
    const prefix = `w${randomUUID().slice(0, 8)}`;
    dir = mkdtempSync(join(tmpdir(), 'twinspace-plant-on-wire-'));
    const plantFile = wirePlantFile({ prefix, opcuaEndpoint: `opc.tcp://127.0.0.1:${port}` });
    const plantPath = join(dir, 'plant.json');
    writeFileSync(plantPath, JSON.stringify(plantFile));
    plantProcess = await spawnPlant(
      ['--mqtt', broker.url, '--opcua-port', String(port), '--plant', plantPath, '--seed', '7'],
      PLANT_DATA_DIR,
    );
    const plant = compilePlant(plantFile);
    mqttSource = new MqttSource({
      protocolVersion: broker.protocolVersion,
      url: broker.url,
      clientId: `twin-${prefix}`,
      plant,
    });
    opcuaSource = new OpcuaSource({ plant, pkiDir: CLIENT_PKI });
    await mqttSource.start(sink);
    await opcuaSource.start(sink);
  }, 180_000);

  afterAll(async () => {
    await mqttSource?.stop();
    await opcuaSource?.stop();
    await plantProcess?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('delivers every sensor over its binding: JSON, bare number, Sparkplug B and OPC-UA', async () => {
    for (const id of ['TT-1', 'PT-1', 'ZT-1', 'TT-2', 'LT-2', 'TT-3', 'ZT-2']) {
      await eventually(
        () => sink.of(id).some((r) => r.quality !== 'bad'),
        `readings of ${id}`,
        60_000,
      );
    }
    // The edge node was born before the host subscribed: its first DDATA are refused until the
    // rebirth the host asked for arrives. Nothing else may be refused.
    const unexpected = sink.rejections.filter((r) => r.reason !== 'sparkplug_no_birth');
    expect(unexpected.map((r) => `${r.reason}: ${r.message}`)).toEqual([]);
    const temperature = sink.of('TT-1').at(-1);
    expect(temperature?.value).toBeGreaterThan(0);
    expect(Math.abs((temperature?.t ?? 0) - Date.now())).toBeLessThan(60_000);
  }, 90_000);

  it('moves the MQTT valve with a command and confirms it by the position reading', async () => {
    const result = await mqttSource.write('V-1.POS', 0.2);
    expect(result).toEqual({ ok: true });
    const last = sink.of('ZT-1').at(-1);
    expect(last?.value).toBeGreaterThan(17);
    expect(last?.value).toBeLessThan(23);
  }, 60_000);

  it('moves the OPC-UA valve with a write and sees its position follow', async () => {
    await expect(opcuaSource.write('V-2.POS', 0.9)).resolves.toEqual({ ok: true });
    await eventually(() => (sink.of('ZT-2').at(-1)?.value ?? 0) > 85, 'ZT-2 near 90 %', 30_000);
    // Outside the actuator's range: refused with a reason, nothing written.
    await expect(opcuaSource.write('V-2.POS', 1.5)).resolves.toMatchObject({ ok: false });
  }, 60_000);
});
