/**
 * OPC-UA with security on: a server that accepts only SignAndEncrypt with Basic256Sha256 and a
 * user name and password. The source, configured the way OPCUA_SECURITY_MODE / _POLICY /
 * _USERNAME / _PASSWORD configure it, receives values; with a wrong password it receives none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcuaSource } from '../../../sim-server/ingest/opcua/index.js';
import { freePort } from './helpers/broker.js';
import { eventually, MemorySink } from './helpers/memory-sink.js';
import { startOpcuaServer } from './helpers/opcua-server.js';
import type { TestOpcuaServer } from './helpers/opcua-server.js';
import { wirePlant } from './fixtures/wire-plant.js';

// Reused across runs: the client's certificate is generated in pure JS on first use.
const PKI = join(tmpdir(), 'twinspace-test-opcua-secure-client-pki');
const OPERATOR = { userName: 'operator', password: 'correct horse battery staple' };

describe('OpcuaSource with SignAndEncrypt and a user identity', () => {
  let server: TestOpcuaServer;
  const dir = mkdtempSync(join(tmpdir(), 'twinspace-opcua-secure-'));
  const sources: OpcuaSource[] = [];

  beforeAll(async () => {
    server = await startOpcuaServer(await freePort(), { users: [OPERATOR] });
  }, 120_000);

  afterAll(async () => {
    for (const source of sources) await source.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const start = async (password: string) => {
    const sink = new MemorySink();
    const logged: string[] = [];
    const source = new OpcuaSource({
      plant: wirePlant({ prefix: 'secure', opcuaEndpoint: server.endpoint }),
      endpoints: [server.endpoint],
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      user: { userName: OPERATOR.userName, password },
      pkiDir: PKI,
      // First contact with this lab server: its self-signed certificate is trusted and kept.
      trustUnknownServerCertificates: true,
      startTimeoutMs: 20_000,
      log: (level, message) => logged.push(`${level} ${message}`),
    });
    sources.push(source);
    await source.start(sink);
    return { source, sink, logged };
  };

  it('receives values over an encrypted session with the right password', async () => {
    const { sink } = await start(OPERATOR.password);
    server.set('R-1.TT-3', 42.5);
    await eventually(() => sink.of('TT-3').some((r) => r.value === 42.5), 'TT-3 = 42.5', 30_000);
    const source = sources[0];
    expect(source?.stats.endpoints[0]?.connected).toBe(true);
  }, 90_000);

  it('gets nothing, and says why, with a wrong password', async () => {
    const { source, sink, logged } = await start('wrong');
    server.set('R-1.TT-3', 43.5);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(sink.of('TT-3')).toEqual([]);
    expect(source.stats.endpoints[0]?.connected).toBe(false);
    expect(logged.join('\n')).toMatch(/BadUserAccessDenied|BadIdentityToken|user/i);
  }, 90_000);
});
