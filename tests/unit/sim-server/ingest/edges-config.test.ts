import { describe, expect, it } from 'vitest';
import { mqttSourceOptionsFromEnv } from '../../../../sim-server/ingest/mqtt/index.js';
import {
  dataValueToCandidate,
  opcuaSourceOptionsFromEnv,
  qualityOfStatus,
} from '../../../../sim-server/ingest/opcua/index.js';
import { parsePlantOnWireArgs } from '../../../../sim-server/plant-on-wire/plant-on-wire-args.js';

const NOW = Date.UTC(2026, 10, 23, 12);

describe('OPC-UA DataValue → reading candidate', () => {
  it('maps status severity to quality', () => {
    expect(qualityOfStatus(0)).toBe('good');
    expect(qualityOfStatus(0x00000400)).toBe('good'); // Good with info bits
    expect(qualityOfStatus(0x408f0000)).toBe('uncertain');
    expect(qualityOfStatus(0x80000000)).toBe('bad');
    expect(qualityOfStatus(0xc0000000)).toBe('bad');
  });

  it('keeps the source timestamp, else the server timestamp, else the receive time', () => {
    const source = new Date(NOW - 5000);
    const server = new Date(NOW - 1000);
    const dv = (s?: Date, v?: Date) => ({
      value: { value: 1 },
      statusCode: { value: 0 },
      sourceTimestamp: s ?? null,
      serverTimestamp: v ?? null,
    });
    expect(dataValueToCandidate(dv(source, server), NOW)).toMatchObject({
      ok: true,
      candidate: { t: NOW - 5000 },
    });
    expect(dataValueToCandidate(dv(undefined, server), NOW)).toMatchObject({
      ok: true,
      candidate: { t: NOW - 1000 },
    });
    expect(dataValueToCandidate(dv(), NOW)).toMatchObject({ ok: true, candidate: { t: NOW } });
  });

  it('reads numbers, booleans and 64-bit [high, low] pairs, and refuses text unless the status is bad', () => {
    const dv = (value: unknown, status = 0) => ({
      value: { value },
      statusCode: { value: status },
    });
    expect(dataValueToCandidate(dv(true), NOW)).toMatchObject({
      ok: true,
      candidate: { value: 1 },
    });
    expect(dataValueToCandidate(dv([1, 5]), NOW)).toMatchObject({
      ok: true,
      candidate: { value: 4294967301 },
    });
    expect(dataValueToCandidate(dv('hot'), NOW)).toEqual({
      ok: false,
      message: 'value: expected a number, got string "hot"',
    });
    const bad = dataValueToCandidate(dv('hot', 0x80000000), NOW);
    expect(bad.ok && bad.candidate.quality === 'bad' && Number.isNaN(bad.candidate.value)).toBe(
      true,
    );
  });
});

describe('environment → options', () => {
  it('MQTT: nothing without MQTT_URL, a fixed client id, and errors naming the variable', () => {
    expect(mqttSourceOptionsFromEnv({})).toBeUndefined();
    expect(
      mqttSourceOptionsFromEnv({
        MQTT_URL: 'mqtt://b:1883',
        MQTT_CLIENT_ID: 'twin-1',
        MQTT_PROTOCOL_VERSION: '4',
      }),
    ).toEqual({
      url: 'mqtt://b:1883',
      clientId: 'twin-1',
      protocolVersion: 4,
    });
    expect(() => mqttSourceOptionsFromEnv({ MQTT_URL: 'http://x' })).toThrow(/^MQTT_URL:/);
    expect(() =>
      mqttSourceOptionsFromEnv({ MQTT_URL: 'mqtt://x', MQTT_CA_FILE: '/nonexistent/ca.pem' }),
    ).toThrow(/^MQTT_CA_FILE:/);
    expect(() =>
      mqttSourceOptionsFromEnv({ MQTT_URL: 'mqtt://x', MQTT_PROTOCOL_VERSION: '3' }),
    ).toThrow(/^MQTT_PROTOCOL_VERSION:/);
  });

  it('OPC-UA: endpoints, security and a PKI folder under DATA_DIR', () => {
    expect(opcuaSourceOptionsFromEnv({}, '/data')).toBeUndefined();
    expect(
      opcuaSourceOptionsFromEnv(
        {
          OPCUA_ENDPOINTS: 'opc.tcp://a:4840, opc.tcp://b:4841',
          OPCUA_SECURITY_MODE: 'SignAndEncrypt',
          OPCUA_USERNAME: 'op',
          OPCUA_PASSWORD: 'pw',
        },
        '/data',
      ),
    ).toEqual({
      endpoints: ['opc.tcp://a:4840', 'opc.tcp://b:4841'],
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      pkiDir: '/data/pki/opcua',
      trustUnknownServerCertificates: false,
      user: { userName: 'op', password: 'pw' },
    });
    expect(() => opcuaSourceOptionsFromEnv({ OPCUA_ENDPOINTS: 'http://a' }, '/d')).toThrow(
      /^OPCUA_ENDPOINTS:/,
    );
    expect(() =>
      opcuaSourceOptionsFromEnv(
        { OPCUA_ENDPOINTS: 'opc.tcp://a', OPCUA_SECURITY_MODE: 'Encrypt' },
        '/d',
      ),
    ).toThrow(/^OPCUA_SECURITY_MODE:/);
    expect(() =>
      opcuaSourceOptionsFromEnv(
        {
          OPCUA_ENDPOINTS: 'opc.tcp://a',
          OPCUA_SECURITY_MODE: 'Sign',
          OPCUA_SECURITY_POLICY: 'None',
        },
        '/d',
      ),
    ).toThrow(/do not go together/);
    expect(() =>
      opcuaSourceOptionsFromEnv({ OPCUA_ENDPOINTS: 'opc.tcp://a', OPCUA_USERNAME: 'op' }, '/d'),
    ).toThrow(/^OPCUA_PASSWORD:/);
  });
});

describe('npm run plant arguments', () => {
  it('reads every flag', () => {
    expect(
      parsePlantOnWireArgs([
        '--mqtt',
        'mqtt://127.0.0.1:1883',
        '--opcua-port',
        '4840',
        '--plant',
        'p.json',
        '--seed',
        '9',
        '--time-scale',
        '2.5',
      ]),
    ).toEqual({
      mqttUrl: 'mqtt://127.0.0.1:1883',
      opcuaPort: 4840,
      plantPath: 'p.json',
      seed: 9,
      timeScale: 2.5,
      stepMs: 100,
      exposePrefix: undefined,
    });
  });

  it.each([
    [['--opcua-port', 'x'], /^--opcua-port: expected an integer/],
    [['--mqtt'], /^--mqtt: needs a value/],
    [['--mqtt', 'http://x'], /^--mqtt: expected mqtt:/],
    [['--opcua-port', '4840', '--time-scale', '0'], /^--time-scale:/],
    [['--bogus'], /unknown argument "--bogus"/],
    [[], /give --mqtt, --opcua-port or both/],
  ])('refuses %j', (argv, message) => {
    expect(() => parsePlantOnWireArgs(argv)).toThrow(message);
  });
});
