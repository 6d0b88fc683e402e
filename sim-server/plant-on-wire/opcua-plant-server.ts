import { mkdirSync } from 'node:fs';
import { DataType, OPCUACertificateManager, OPCUAServer, StatusCodes, Variant } from 'node-opcua';
import type { StatusCode, UAVariable } from 'node-opcua';
import type { Reading } from '../../digital-twin/index.js';
import type { ApplyCommand, PlantLog } from './mqtt-plant-publisher.js';
import type { WireBindings } from './wire-bindings.js';

/** `ns=1;s=Name` or `ns=1;i=123`: the server's own namespace is index 1. */
const OWN_NAMESPACE_NODE = /^ns=1;(s=[\s\S]+|i=\d+)$/;

/**
 * The plant's OPC-UA side: one Double variable per OPC-UA-bound sensor (value, status and source
 * timestamp from the simulator) and one writable Double per OPC-UA-bound actuator; a write moves
 * the simulated actuator and its StatusCode says whether the simulator took it.
 */
export class OpcuaPlantServer {
  readonly #port: number;
  readonly #bindings: WireBindings;
  readonly #apply: ApplyCommand;
  readonly #log: PlantLog;
  readonly #pkiDir: string;
  readonly #variables = new Map<string, UAVariable>();
  #server: OPCUAServer | undefined;

  constructor(
    port: number,
    bindings: WireBindings,
    apply: ApplyCommand,
    log: PlantLog,
    pkiDir: string,
  ) {
    this.#port = port;
    this.#bindings = bindings;
    this.#apply = apply;
    this.#log = log;
    this.#pkiDir = pkiDir;
  }

  async start(actuatorValue: (actuatorId: string) => number): Promise<void> {
    mkdirSync(this.#pkiDir, { recursive: true });
    const server = new OPCUAServer({
      port: this.#port,
      resourcePath: '/',
      allowAnonymous: true,
      serverCertificateManager: new OPCUACertificateManager({
        rootFolder: this.#pkiDir,
        automaticallyAcceptUnknownCertificate: true,
      }),
      buildInfo: { productName: 'twinspace-plant-on-wire' },
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace)
      throw new Error('Invariant: OPC-UA server has no address space after initialize');
    const ns = addressSpace.getOwnNamespace();
    const folder = ns.addObject({
      organizedBy: addressSpace.rootFolder.objects,
      browseName: 'Plant',
    });
    for (const { sensor, nodeId } of this.#bindings.opcuaSensors) {
      if (!OWN_NAMESPACE_NODE.test(nodeId)) {
        this.#log(`opcua: ${sensor.id} is bound to ${nodeId}; only ns=1 nodes are served`);
        continue;
      }
      const variable = ns.addVariable({
        componentOf: folder,
        nodeId: nodeId.slice('ns=1;'.length),
        browseName: sensor.id,
        dataType: 'Double',
        value: { dataType: DataType.Double, value: 0 },
      });
      this.#variables.set(sensor.id, variable);
    }
    for (const { actuator, nodeId } of this.#bindings.opcuaActuators) {
      if (!OWN_NAMESPACE_NODE.test(nodeId)) {
        this.#log(`opcua: ${actuator.id} is bound to ${nodeId}; only ns=1 nodes are served`);
        continue;
      }
      ns.addVariable({
        componentOf: folder,
        nodeId: nodeId.slice('ns=1;'.length),
        browseName: actuator.id,
        dataType: 'Double',
        // A getter needs this, or node-opcua assumes 1,000 ms and warns.
        minimumSamplingInterval: 100,
        accessLevel: 'CurrentRead | CurrentWrite',
        userAccessLevel: 'CurrentRead | CurrentWrite',
        value: {
          get: () => new Variant({ dataType: DataType.Double, value: actuatorValue(actuator.id) }),
          set: (variant: Variant) => {
            const value = Number(variant.value);
            const error = this.#apply(actuator.id, value);
            if (error) {
              this.#log(`opcua write to ${nodeId} refused: ${error}`);
              return StatusCodes.BadOutOfRange;
            }
            return StatusCodes.Good;
          },
        },
      });
    }
    await server.start();
    this.#server = server;
  }

  /** Updates every served sensor variable with its latest reading. */
  publish(readings: readonly Reading[], wireT: number): void {
    const at = new Date(wireT);
    for (const r of readings) {
      const variable = this.#variables.get(r.sensorId);
      if (!variable) continue;
      const status: StatusCode =
        r.quality === 'good'
          ? StatusCodes.Good
          : r.quality === 'uncertain'
            ? StatusCodes.UncertainLastUsableValue
            : StatusCodes.BadSensorFailure;
      variable.setValueFromSource(
        { dataType: DataType.Double, value: r.quality === 'bad' ? 0 : r.value },
        status,
        at,
      );
    }
  }

  async stop(): Promise<void> {
    await this.#server?.shutdown(0);
    this.#server = undefined;
  }
}
