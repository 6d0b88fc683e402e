// The MQTT source: plain JSON/number topics with stored-then-acked QoS 1, Sparkplug B, commands.
export { MqttSource } from './mqtt-source.js';
export type { MqttSourceStats } from './mqtt-source.js';
export { MQTT_SOURCE_DEFAULTS } from './mqtt-source-options.js';
export type { MqttSourceOptions, MqttTlsOptions, SourceLog } from './mqtt-source-options.js';
export { mqttSourceOptionsFromEnv } from './mqtt-env.js';
export { buildTopicMap, coveringFilters, topicMatches } from './topic-map.js';
export type { CommandBinding, TopicBinding, TopicMap } from './topic-map.js';
export { AckWindow } from './ack-window.js';
export { backoffDelay, DEFAULT_BACKOFF } from './reconnect-backoff.js';
export type { BackoffOptions } from './reconnect-backoff.js';
export { confirmsCommand } from './command-confirmation.js';
export type { WireDecoder, WireOutcome, WireReply } from './wire-decoder.js';
