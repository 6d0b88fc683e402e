import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { MqttSourceOptions } from './mqtt-source-options.js';

/** The connection part of the options, as the environment gives it. */
export type MqttConnectionOptions = Omit<MqttSourceOptions, 'plant'>;

/**
 * Reads `MQTT_URL`, `MQTT_CLIENT_ID`, `MQTT_USERNAME`, `MQTT_PASSWORD`, `MQTT_CA_FILE`,
 * `MQTT_CERT_FILE`, `MQTT_KEY_FILE`, `MQTT_TLS_INSECURE=1` and `MQTT_PROTOCOL_VERSION` (4 or 5). `undefined` without `MQTT_URL`.
 * Throws an Error naming the variable when one is malformed or a file cannot be read.
 */
export function mqttSourceOptionsFromEnv(
  env: NodeJS.ProcessEnv,
): MqttConnectionOptions | undefined {
  const url = env.MQTT_URL?.trim();
  if (!url) return undefined;
  if (!/^(mqtts?|wss?|tcp|tls):\/\/\S+$/.test(url)) {
    throw new Error(
      `MQTT_URL: expected mqtt://host:1883 (or mqtts://, ws://, wss://), got "${url}"`,
    );
  }
  // Fixed per host by default: a persistent session is only as persistent as its client id.
  const options: MqttConnectionOptions = {
    url,
    clientId: env.MQTT_CLIENT_ID?.trim() || `twinspace-${hostname()}`,
  };
  const version = env.MQTT_PROTOCOL_VERSION?.trim();
  if (version) {
    if (version !== '4' && version !== '5') {
      throw new Error(`MQTT_PROTOCOL_VERSION: expected 4 (3.1.1) or 5, got "${version}"`);
    }
    options.protocolVersion = version === '4' ? 4 : 5;
  }
  if (env.MQTT_USERNAME) options.username = env.MQTT_USERNAME;
  if (env.MQTT_PASSWORD) options.password = env.MQTT_PASSWORD;
  const ca = readPem(env, 'MQTT_CA_FILE');
  const cert = readPem(env, 'MQTT_CERT_FILE');
  const key = readPem(env, 'MQTT_KEY_FILE');
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error(
      'MQTT_KEY_FILE: set it together with MQTT_CERT_FILE for client-certificate auth, or neither',
    );
  }
  const insecure = env.MQTT_TLS_INSECURE === '1' || env.MQTT_TLS_INSECURE === 'true';
  if (ca !== undefined || cert !== undefined || insecure) {
    options.tls = { rejectUnauthorized: !insecure };
    if (ca !== undefined) options.tls.ca = ca;
    if (cert !== undefined) options.tls.cert = cert;
    if (key !== undefined) options.tls.key = key;
  }
  return options;
}

function readPem(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const path = env[name]?.trim();
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `${name}: cannot read "${path}" (${error instanceof Error ? error.message : String(error)})`,
      {
        cause: error,
      },
    );
  }
}
