/** What `npm run plant -- …` was asked to do. */
export interface PlantOnWireArgs {
  /** Broker to publish MQTT-bound sensors to (and take commands from); none: no MQTT. */
  mqttUrl: string | undefined;
  /** Port of the OPC-UA server for OPC-UA-bound sensors and actuators; none: no OPC-UA. */
  opcuaPort: number | undefined;
  plantPath: string;
  seed: number;
  /** Plant seconds per wall second. */
  timeScale: number;
  stepMs: number;
  /** Also publish simulator-bound sensors (JSON on `<prefix>/<sensorId>`, OPC-UA `ns=1;s=<sensorId>`). */
  exposePrefix: string | undefined;
}

export const PLANT_ON_WIRE_USAGE = `usage: npm run plant -- [--mqtt mqtt://127.0.0.1:1883] [--opcua-port 4840]
       [--plant assets/plants/demo-reactor.json] [--seed 1] [--time-scale 1] [--step-ms 100]
       [--expose-simulated twinspace/demo]`;

/** Parses argv (without node and script); throws an Error naming the bad flag. */
export function parsePlantOnWireArgs(argv: readonly string[]): PlantOnWireArgs {
  const args: PlantOnWireArgs = {
    mqttUrl: undefined,
    opcuaPort: undefined,
    plantPath: 'assets/plants/demo-reactor.json',
    seed: 1,
    timeScale: 1,
    stepMs: 100,
    exposePrefix: undefined,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    const need = (): string => {
      if (value === undefined || value.startsWith('--'))
        throw new Error(`${flag}: needs a value\n${PLANT_ON_WIRE_USAGE}`);
      i += 1;
      return value;
    };
    const number = (min: number, max: number, integer: boolean): number => {
      const raw = need();
      const n = Number(raw);
      if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
        throw new Error(
          `${flag}: expected ${integer ? 'an integer' : 'a number'} in ${min}…${max}, got "${raw}"`,
        );
      }
      return n;
    };
    switch (flag ?? '') {
      case '--mqtt': {
        const url = need();
        if (!/^(mqtts?|wss?|tcp):\/\/\S+$/.test(url))
          throw new Error(`--mqtt: expected mqtt://host:port, got "${url}"`);
        args.mqttUrl = url;
        break;
      }
      case '--opcua-port':
        args.opcuaPort = number(1, 65535, true);
        break;
      case '--plant':
        args.plantPath = need();
        break;
      case '--seed':
        args.seed = number(0, 2 ** 32 - 1, true);
        break;
      case '--time-scale':
        args.timeScale = number(0.01, 1000, false);
        break;
      case '--step-ms':
        args.stepMs = number(1, 60_000, true);
        break;
      case '--expose-simulated':
        args.exposePrefix = need();
        break;
      default:
        throw new Error(`unknown argument "${String(flag)}"\n${PLANT_ON_WIRE_USAGE}`);
    }
  }
  if (args.mqttUrl === undefined && args.opcuaPort === undefined) {
    throw new Error(
      `give --mqtt, --opcua-port or both: the plant needs a wire\n${PLANT_ON_WIRE_USAGE}`,
    );
  }
  return args;
}
