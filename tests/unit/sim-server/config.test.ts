import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../sim-server/config.js';

const root = mkdtempSync(join(tmpdir(), 'twinspace-config-'));
mkdirSync(join(root, 'assets', 'plants'), { recursive: true });
mkdirSync(join(root, 'assets', 'scenarios'), { recursive: true });
writeFileSync(join(root, 'assets', 'plants', 'demo-reactor.json'), '{}');
writeFileSync(join(root, 'assets', 'scenarios', 'cooling-pump-trip.json'), '{}');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, root);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('chooses the embedded defaults when nothing is set', () => {
    const config = loadConfig({}, root);
    expect(config.port).toBe(2567);
    expect(config.database).toEqual({ kind: 'pglite', dataDir: join(root, 'data') });
    expect(config.plantPath).toBe(join(root, 'assets', 'plants', 'demo-reactor.json'));
    expect(config.scenarioPath).toBeNull();
    expect(config.seed).toBe(1);
    expect(config.timeScale).toBe(1);
    expect(config.patchRateMs).toBe(100);
    expect(config.logLevel).toBe('info');
    expect(config.mqtt).toBeNull();
    expect(config.opcua).toBeNull();
  });

  it('configures the live sources from MQTT_* and OPCUA_*, naming the variable when one is wrong', () => {
    const config = loadConfig(
      {
        MQTT_URL: 'mqtt://broker:1883',
        MQTT_CLIENT_ID: 'twin-a',
        MQTT_USERNAME: 'plant',
        MQTT_PASSWORD: 'secret',
        OPCUA_ENDPOINTS: 'opc.tcp://a:4840, opc.tcp://b:4841',
        OPCUA_SECURITY_MODE: 'SignAndEncrypt',
      },
      root,
    );
    expect(config.mqtt).toMatchObject({
      url: 'mqtt://broker:1883',
      clientId: 'twin-a',
      username: 'plant',
    });
    expect(config.opcua).toMatchObject({
      endpoints: ['opc.tcp://a:4840', 'opc.tcp://b:4841'],
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      pkiDir: join(root, 'data', 'pki', 'opcua'),
    });
    const badUrl = failure({ MQTT_URL: 'broker:1883' });
    expect(badUrl.variable).toBe('MQTT_URL');
    expect(badUrl.message).toMatch(/^MQTT_URL: expected mqtt:\/\/host:1883/);
    expect(failure({ OPCUA_ENDPOINTS: 'http://x' }).variable).toBe('OPCUA_ENDPOINTS');
    const mismatch = failure({
      OPCUA_ENDPOINTS: 'opc.tcp://a:4840',
      OPCUA_SECURITY_MODE: 'Sign',
      OPCUA_SECURITY_POLICY: 'None',
    });
    expect(mismatch.variable).toBe('OPCUA_SECURITY_MODE');
    expect(mismatch.message).toContain('OPCUA_SECURITY_POLICY None');
  });

  it('resolves a scenario id under assets/scenarios and reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '0',
        SEED: '42',
        SCENARIO: 'cooling-pump-trip',
        TIME_SCALE: '50',
        SNAPSHOT_EVERY_S: '2.5',
        PATCH_RATE_MS: '50',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
        LOG_LEVEL: 'warn',
      },
      root,
    );
    expect(config.scenarioPath).toBe(join(root, 'assets', 'scenarios', 'cooling-pump-trip.json'));
    expect(config).toMatchObject({
      port: 0,
      seed: 42,
      timeScale: 50,
      snapshotEveryS: 2.5,
      patchRateMs: 50,
    });
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://postgres@127.0.0.1:5432/test',
    });
  });

  it('names the variable and the value for every bad setting', () => {
    expect(failure({ PORT: 'eighty' })).toMatchObject({ variable: 'PORT' });
    expect(failure({ PORT: 'eighty' }).message).toContain('"eighty"');
    expect(failure({ PORT: '70000' }).message).toContain('from 0 to 65535');
    expect(failure({ TIME_SCALE: '0' }).variable).toBe('TIME_SCALE');
    expect(failure({ PATCH_RATE_MS: '1' }).variable).toBe('PATCH_RATE_MS');
    expect(failure({ LOG_LEVEL: 'loud' }).message).toContain('debug, info');
    expect(failure({ SCENARIO: 'no-such-scenario' }).message).toContain('assets/scenarios');
    expect(failure({ PLANT: './nowhere.json' }).variable).toBe('PLANT');
  });

  it('never prints a database password', () => {
    const error = failure({ DATABASE_URL: 'mysql://user:secret@host/db' });
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).not.toContain('secret');
  });
});
