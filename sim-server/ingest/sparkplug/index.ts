// Sparkplug B (spBv1.0): payload codec, topic namespace and the host-side state machine.
export { SparkplugDecoder, rebirthRequest, REBIRTH_METRIC } from './sparkplug-decoder.js';
export {
  decodeSparkplugPayload,
  encodeSparkplugPayload,
  metricNumber,
  SPARKPLUG_DATATYPES,
} from './sparkplug-payload.js';
export type { SparkplugMetric, SparkplugPayload } from './sparkplug-payload.js';
export { ProtobufError } from './protobuf-wire.js';
export {
  addressOf,
  parseSparkplugTopic,
  SPARKPLUG_MESSAGE_TYPES,
  SPARKPLUG_NAMESPACE,
  sparkplugAddress,
} from './sparkplug-topic.js';
export type { SparkplugMessageType, SparkplugTopic } from './sparkplug-topic.js';
