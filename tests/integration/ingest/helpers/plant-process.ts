import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(
  new URL('../../../../sim-server/plant-on-wire/main.ts', import.meta.url),
);

/** `npm run plant` running in a child process. */
export interface PlantProcess {
  child: ChildProcess;
  /** SIGTERM, then what it reported: plain MQTT readings the broker acknowledged, per sensor. */
  stop(): Promise<{ mqttAcked: Record<string, number> }>;
}

/** Spawns `npm run plant`'s entry point and resolves once it prints its ready line. */
export async function spawnPlant(args: string[], dataDir: string): Promise<PlantProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATA_DIR: dataDir },
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const ready = (): void => {
      if (!stdout.includes('"ready":true')) return;
      child.stdout?.off('data', ready);
      resolve();
    };
    child.stdout?.on('data', ready);
    child.once('exit', (code) =>
      reject(
        new Error(`plant-on-wire exited with ${String(code)} before it was ready:\n${stderr}`),
      ),
    );
  });
  const stop = async (): Promise<{ mqttAcked: Record<string, number> }> => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    const line = stdout.split('\n').find((l) => l.includes('"stopped":true'));
    if (line === undefined) throw new Error(`plant-on-wire stopped without its report:\n${stderr}`);
    return JSON.parse(line) as { mqttAcked: Record<string, number> };
  };
  return { child, stop };
}
