import type { Actuator, CompiledPlant, Sensor } from '../../../digital-twin/index.js';
import type { TextPayloadFormat } from '../payload/index.js';

/** A sensor reached by a plain (non-Sparkplug) topic. */
export interface TopicBinding {
  sensor: Sensor;
  format: TextPayloadFormat;
}

/** Where an actuator's commands go and which sensor confirms them. */
export interface CommandBinding {
  actuator: Actuator;
  commandTopic: string;
  confirmSensor: Sensor | undefined;
}

/** The plant's MQTT bindings, indexed for the hot path, and the subscriptions that cover them. */
export interface TopicMap {
  readonly sensorsByTopic: ReadonlyMap<string, TopicBinding>;
  readonly commands: ReadonlyMap<string, CommandBinding>;
  /** Topics we publish ourselves; seen again under a wildcard they are ignored, not rejected. */
  readonly commandTopics: ReadonlySet<string>;
  /** Filters for the plain topics (wildcards where several topics share a prefix). */
  readonly subscriptions: readonly string[];
}

/**
 * Indexes the plant's `mqtt` sensor bindings with payload `json`/`number` and its `mqtt` actuator
 * bindings. Sparkplug bindings are left to the Sparkplug tracker.
 */
export function buildTopicMap(plant: CompiledPlant): TopicMap {
  const sensorsByTopic = new Map<string, TopicBinding>();
  for (const sensor of plant.sensors) {
    const binding = sensor.binding;
    if (binding.source !== 'mqtt' || binding.payload === 'sparkplug') continue;
    sensorsByTopic.set(binding.topic, { sensor, format: binding.payload });
  }
  const commands = new Map<string, CommandBinding>();
  for (const actuator of plant.actuators) {
    const binding = actuator.binding;
    if (binding.source !== 'mqtt') continue;
    const confirmIndex =
      binding.confirmSensor === undefined
        ? undefined
        : plant.sensorIndex.get(binding.confirmSensor);
    commands.set(actuator.id, {
      actuator,
      commandTopic: binding.commandTopic,
      confirmSensor: confirmIndex === undefined ? undefined : plant.sensors[confirmIndex],
    });
  }
  return Object.freeze({
    sensorsByTopic,
    commands,
    commandTopics: new Set([...commands.values()].map((c) => c.commandTopic)),
    subscriptions: coveringFilters([...sensorsByTopic.keys()]),
  });
}

/**
 * Few subscriptions for many topics: topics that share their first level are covered by one
 * `<common prefix>/#` filter (a plant with 10,000 sensors under `site/…` needs one subscription,
 * not 10,000); a topic alone under its first level is subscribed exactly. Anything else the
 * broker sends under such a filter is an unknown topic and is rejected as such.
 */
export function coveringFilters(topics: readonly string[]): string[] {
  const groups = new Map<string, string[][]>();
  for (const topic of topics) {
    const levels = topic.split('/');
    const key = levels[0] ?? '';
    const group = groups.get(key);
    if (group) group.push(levels);
    else groups.set(key, [levels]);
  }
  const filters: string[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    if (first === undefined) continue;
    if (group.length === 1) {
      filters.push(first.join('/'));
      continue;
    }
    let common = first.length;
    for (const levels of group) {
      let i = 0;
      while (i < common && i < levels.length && levels[i] === first[i]) i += 1;
      common = i;
    }
    // `a/b` and `a/b/c` share all of `a/b`: `a/b/#` covers both, since `#` matches the parent too.
    filters.push([...first.slice(0, common), '#'].join('/'));
  }
  return filters.sort();
}

/** MQTT topic-filter matching (`+` one level, `#` the rest, including the parent level). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i += 1) {
    const level = f[i];
    if (level === '#') return !(i === 0 && topic.startsWith('$'));
    if (i >= t.length) return false;
    if (level === '+') {
      if (i === 0 && topic.startsWith('$')) return false;
      continue;
    }
    if (level !== t[i]) return false;
  }
  return f.length === t.length;
}
