import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  Variant,
} from 'node-opcua';
import type { StatusCode, UAVariable } from 'node-opcua';

/** An OPC-UA server the test owns, with the wire plant's nodes in namespace 1. */
export interface TestOpcuaServer {
  readonly endpoint: string;
  /** Sets a node's value (and optionally its status and source time), as a device would. */
  set(name: string, value: number, status?: StatusCode, sourceTimestamp?: Date): void;
  /** Every value written to V-2.POS by a client. */
  readonly writes: number[];
  /** While true, writes to V-2.POS are refused with BadUserAccessDenied. */
  refuseWrites: boolean;
  stop(): Promise<void>;
}

// Reused across runs: node-opcua generates its certificate in pure JS on first start (~1 s+).
const PKI = join(tmpdir(), 'twinspace-test-opcua-server-pki');

/** How a locked-down server admits clients. */
export interface SecureServerOptions {
  /** The only identities accepted; anonymous sessions are refused. */
  users: { userName: string; password: string }[];
}

/**
 * Starts a server on the port with `ns=1;s=R-1.TT-3`, `ns=1;s=V-2.ZT-2` (read-only Doubles) and
 * `ns=1;s=V-2.POS` (a writable Double that moves ZT-2 to value × 100 %).
 */
export async function startOpcuaServer(
  port: number,
  secure?: SecureServerOptions,
): Promise<TestOpcuaServer> {
  const certificates = new OPCUACertificateManager({
    rootFolder: PKI,
    automaticallyAcceptUnknownCertificate: true,
  });
  const server = new OPCUAServer({
    port,
    hostname: '127.0.0.1',
    resourcePath: '/',
    allowAnonymous: secure === undefined,
    serverCertificateManager: certificates,
    // Locked down: signed and encrypted messages only, and a user name and password.
    ...(secure === undefined
      ? {}
      : {
          securityModes: [MessageSecurityMode.SignAndEncrypt],
          securityPolicies: [SecurityPolicy.Basic256Sha256],
          userManager: {
            isValidUser: (userName: string, password: string) =>
              secure.users.some((u) => u.userName === userName && u.password === password),
          },
        }),
    buildInfo: { productName: 'twinspace-test-plant' },
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace)
    throw new Error('Invariant: OPC-UA server has no address space after initialize');
  const ns = addressSpace.getOwnNamespace();
  const plant = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'Plant' });
  const variables = new Map<string, UAVariable>();
  const state = { refuseWrites: false, writes: [] as number[] };
  for (const name of ['R-1.TT-3', 'V-2.ZT-2']) {
    const variable = ns.addVariable({
      componentOf: plant,
      nodeId: `s=${name}`,
      browseName: name,
      dataType: 'Double',
      value: { dataType: DataType.Double, value: 0 },
    });
    variables.set(name, variable);
  }
  let position = 0.5;
  ns.addVariable({
    componentOf: plant,
    nodeId: 's=V-2.POS',
    browseName: 'V-2.POS',
    dataType: 'Double',
    accessLevel: 'CurrentRead | CurrentWrite',
    userAccessLevel: 'CurrentRead | CurrentWrite',
    value: {
      get: () => new Variant({ dataType: DataType.Double, value: position }),
      set: (variant: Variant) => {
        if (state.refuseWrites) return StatusCodes.BadUserAccessDenied;
        position = Number(variant.value);
        state.writes.push(position);
        variables
          .get('V-2.ZT-2')
          ?.setValueFromSource({ dataType: DataType.Double, value: position * 100 });
        return StatusCodes.Good;
      },
    },
  });
  await server.start();
  return {
    endpoint: `opc.tcp://127.0.0.1:${port}`,
    get writes() {
      return state.writes;
    },
    get refuseWrites() {
      return state.refuseWrites;
    },
    set refuseWrites(value: boolean) {
      state.refuseWrites = value;
    },
    set(name, value, status = StatusCodes.Good, sourceTimestamp = new Date()) {
      const variable = variables.get(name);
      if (!variable) throw new Error(`test server has no node ${name}`);
      variable.setValueFromSource({ dataType: DataType.Double, value }, status, sourceTimestamp);
    },
    async stop() {
      await server.shutdown(0);
    },
  };
}
