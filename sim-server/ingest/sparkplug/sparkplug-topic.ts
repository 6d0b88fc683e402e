/** The Sparkplug B namespace: `spBv1.0/<group>/<message type>/<edge node>[/<device>]`. */
export const SPARKPLUG_NAMESPACE = 'spBv1.0';

export const SPARKPLUG_MESSAGE_TYPES = [
  'NBIRTH',
  'NDATA',
  'NDEATH',
  'NCMD',
  'DBIRTH',
  'DDATA',
  'DDEATH',
  'DCMD',
] as const;
export type SparkplugMessageType = (typeof SPARKPLUG_MESSAGE_TYPES)[number];

export interface SparkplugTopic {
  group: string;
  type: SparkplugMessageType;
  node: string;
  device: string | undefined;
}

/** Parses a Sparkplug topic; `undefined` when it does not follow the namespace. */
export function parseSparkplugTopic(topic: string): SparkplugTopic | undefined {
  const levels = topic.split('/');
  const [namespace, group, type, node, device] = levels;
  if (namespace !== SPARKPLUG_NAMESPACE || !group || !type || !node) return undefined;
  if (!(SPARKPLUG_MESSAGE_TYPES as readonly string[]).includes(type)) return undefined;
  const sparkplugType = type as SparkplugMessageType;
  const deviceMessage = sparkplugType.startsWith('D');
  if (deviceMessage ? levels.length !== 5 || !device : levels.length !== 4) return undefined;
  return { group, type: sparkplugType, node, device: deviceMessage ? device : undefined };
}

/**
 * The address a plant file binds a Sparkplug sensor to: `spBv1.0/<group>/<edge node>[/<device>]`
 * (the message type is left out: births and data of one device feed the same sensors). A topic
 * with a message type (`spBv1.0/G/DDATA/E/D`) is accepted and normalised. `undefined` if malformed.
 */
export function sparkplugAddress(bindingTopic: string): string | undefined {
  const parsed = parseSparkplugTopic(bindingTopic);
  if (parsed) return addressOf(parsed.group, parsed.node, parsed.device);
  const levels = bindingTopic.split('/');
  if (levels[0] !== SPARKPLUG_NAMESPACE || levels.length < 3 || levels.length > 4) return undefined;
  if (levels.some((level) => level.length === 0)) return undefined;
  return levels.slice(1).join('/');
}

/** `group/node` or `group/node/device`. */
export function addressOf(group: string, node: string, device: string | undefined): string {
  return device === undefined ? `${group}/${node}` : `${group}/${node}/${device}`;
}
