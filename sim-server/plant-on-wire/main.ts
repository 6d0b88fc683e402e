/**
 * `npm run plant -- --mqtt URL --opcua-port 4840 [--plant path] [--seed n] [--time-scale x]`:
 * the simulator as a separate process that publishes its plant over MQTT and OPC-UA and obeys
 * commands arriving the same ways. Prints one JSON line `{"ready":…}` once it is serving.
 */
import { join } from 'node:path';
import { parsePlantOnWireArgs } from './plant-on-wire-args.js';
import { loadPlantFile, PlantOnWire } from './plant-on-wire.js';

async function main(): Promise<void> {
  const args = parsePlantOnWireArgs(process.argv.slice(2));
  const plant = loadPlantFile(args.plantPath);
  const pkiDir = join(process.env.DATA_DIR ?? 'data', 'pki', 'plant-on-wire');
  const log = (message: string) => console.error(`plant-on-wire: ${message}`);
  const wire = new PlantOnWire(plant, args, pkiDir, log);
  await wire.start();
  console.log(
    JSON.stringify({
      ready: true,
      plant: plant.plant.id,
      mqtt: args.mqttUrl ?? null,
      opcua: args.opcuaPort ? `opc.tcp://127.0.0.1:${args.opcuaPort}` : null,
    }),
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping after ${wire.steps} steps`);
    void wire.stop().finally(() => {
      // What a consumer must have stored: every QoS 1 reading the broker acknowledged.
      console.log(JSON.stringify({ stopped: true, steps: wire.steps, mqttAcked: wire.mqttAcked }));
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`plant-on-wire: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
