import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A broker a test can use: the machine's Mosquitto on 1883, or one the test started. */
export interface TestBroker {
  readonly url: string;
  readonly port: number;
  readonly kind: 'mosquitto' | 'aedes' | 'shared';
  /** Whether `restart` keeps persistent sessions and queued QoS 1 messages (Mosquitto only). */
  readonly persistent: boolean;
  /** The newest MQTT version the broker speaks: aedes has no MQTT 5. */
  readonly protocolVersion: 4 | 5;
  /** Stops the broker gracefully (Mosquitto writes its persistence file) and starts it again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const MOSQUITTO_PATHS = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'];

/** The Mosquitto binary, when this machine has one. */
export function mosquittoBinary(): string | undefined {
  if (forceAedes()) return undefined;
  return MOSQUITTO_PATHS.find((p) => existsSync(p));
}

/** `TWINSPACE_TEST_BROKER=aedes` runs the suite as a machine without Mosquitto would. */
function forceAedes(): boolean {
  return process.env.TWINSPACE_TEST_BROKER === 'aedes';
}

/** Asks the OS for a port nobody listens on. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on the port right now (within half a second). */
export async function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ port, host, timeout: 500 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Resolves once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portOpen(port))) {
    if (Date.now() > deadline) {
      throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * The machine's broker at 127.0.0.1:1883 when it runs (tests isolate themselves by topic prefix
 * and client id), otherwise a private one. Never restarted: it is shared.
 */
export async function sharedBroker(): Promise<TestBroker> {
  if (!forceAedes() && (await portOpen(1883))) {
    return {
      url: 'mqtt://127.0.0.1:1883',
      port: 1883,
      kind: 'shared',
      persistent: false,
      protocolVersion: 5,
      restart: () => Promise.reject(new Error('the shared broker is not ours to restart')),
      stop: () => Promise.resolve(),
    };
  }
  return startBroker();
}

/**
 * Starts a private broker on a free port. Mosquitto's defaults (max_queued_messages 1000,
 * max_inflight_messages 20) silently drop or throttle QoS 1 messages for a slow subscriber, so
 * the test config raises both, and persistence is on so a restart keeps sessions. Without the
 * binary an aedes broker runs in a child process (in-process aedes shares our event loop);
 * its sessions do not survive a restart.
 */
export async function startBroker(port?: number): Promise<TestBroker> {
  const chosen = port ?? (await freePort());
  const binary = mosquittoBinary();
  if (binary) {
    const dir = mkdtempSync(join(tmpdir(), 'twinspace-mosquitto-'));
    const config = join(dir, 'mosquitto.conf');
    writeFileSync(
      config,
      [
        `listener ${chosen} 127.0.0.1`,
        'allow_anonymous true',
        'persistence true',
        `persistence_location ${dir}/`,
        'max_queued_messages 1000000',
        'max_queued_bytes 0',
        'max_inflight_messages 1000',
        'max_packet_size 20000000',
        'log_dest stderr',
        'log_type error',
        '',
      ].join('\n'),
    );
    const launch = async (): Promise<ChildProcess> => {
      const child = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.resume();
      await waitForPort(chosen);
      return child;
    };
    let child = await launch();
    return {
      url: `mqtt://127.0.0.1:${chosen}`,
      port: chosen,
      kind: 'mosquitto',
      persistent: true,
      protocolVersion: 5,
      async restart() {
        await stopChild(child);
        child = await launch();
      },
      async stop() {
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const script = fileURLToPath(new URL('./aedes-broker-process.ts', import.meta.url));
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, String(chosen)], {
      stdio: 'ignore',
    });
    await waitForPort(chosen);
    return child;
  };
  let child = await launch();
  return {
    url: `mqtt://127.0.0.1:${chosen}`,
    port: chosen,
    kind: 'aedes',
    persistent: false,
    protocolVersion: 4,
    async restart() {
      await stopChild(child);
      child = await launch();
    },
    stop: () => stopChild(child),
  };
}
