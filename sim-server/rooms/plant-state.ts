/**
 * The plant room's authoritative state as @colyseus/schema v3 classes, built with the `schema()`
 * helper (no decorators, so it encodes the same under tsc, tsx and Vitest's Oxc transform).
 * Times are `float64` epoch milliseconds: `number` would round them through float32 paths.
 * Only the latest value of a field travels per patch, so discrete happenings (capsule raised,
 * command acks) also go as messages; this state is what a client needs to draw the plant now.
 */
import { MapSchema, schema } from '@colyseus/schema';
import type { SchemaType } from '@colyseus/schema';

export const SensorState = schema(
  {
    /** Meaningful only when quality is `good` or `uncertain`; 0 when `bad` or `none` (no reading yet). */
    value: 'float64',
    quality: 'string',
    t: 'float64',
  },
  'SensorState',
);
export type SensorState = SchemaType<typeof SensorState>;

export const ActuatorState = schema(
  {
    value: 'float64',
    t: 'float64',
  },
  'ActuatorState',
);
export type ActuatorState = SchemaType<typeof ActuatorState>;

/** Per equipment: the worst open capsule's severity (`normal` when none) and whether it runs. */
export const EquipmentState = schema(
  {
    status: 'string',
    running: 'boolean',
    openCapsules: 'uint16',
  },
  'EquipmentState',
);
export type EquipmentState = SchemaType<typeof EquipmentState>;

/** The fields of a capsule a client draws and lists; history stays on the HTTP API. */
export const CapsuleState = schema(
  {
    id: 'string',
    rule: 'string',
    ruleKind: 'string',
    severity: 'string',
    priority: 'uint8',
    state: 'string',
    title: 'string',
    description: 'string',
    /** Empty when the capsule is about equipment rather than one sensor. */
    sensorId: 'string',
    equipmentId: 'string',
    x: 'float32',
    y: 'float32',
    z: 'float32',
    raisedAt: 'float64',
    updatedAt: 'float64',
    consensus: 'float32',
    conditionActive: 'boolean',
    /** 0 unless shelved. */
    shelvedUntil: 'float64',
    acknowledgedBy: 'string',
    acknowledgedAt: 'float64',
    lastActor: 'string',
    lastAction: 'string',
    lastActionAt: 'float64',
  },
  'CapsuleState',
);
export type CapsuleState = SchemaType<typeof CapsuleState>;

/** Who is connected, and what they point at (the client fills selection and cursor). */
export const PresenceState = schema(
  {
    sessionId: 'string',
    name: 'string',
    role: 'string',
    color: 'string',
    joinedAt: 'float64',
    /** Selected capsule or equipment id; empty when none. */
    selection: 'string',
    hasCursor: 'boolean',
    cursorX: 'float32',
    cursorY: 'float32',
    cursorZ: 'float32',
    /** Whether the client is in a headset (`xr`) or a browser (`desktop`). */
    device: 'string',
    /** False while a dropped client may still reconnect (its seat is held ~20 s). */
    connected: 'boolean',
    /** Head pose (desktop camera or XR head), metres and radians; sent at ≤ 20 Hz. */
    hasHead: 'boolean',
    headX: 'float32',
    headY: 'float32',
    headZ: 'float32',
    headYaw: 'float32',
    headPitch: 'float32',
    /** Hand positions in XR (palm centre), metres. */
    hasLeftHand: 'boolean',
    leftX: 'float32',
    leftY: 'float32',
    leftZ: 'float32',
    hasRightHand: 'boolean',
    rightX: 'float32',
    rightY: 'float32',
    rightZ: 'float32',
  },
  'PresenceState',
);
export type PresenceState = SchemaType<typeof PresenceState>;

/**
 * The mission a replay room plays, with its playhead as an anchor: clients show
 * `anchorT + (now − anchorWall) × speed` between patches while playing. Empty id in the live room.
 */
export const MissionPlayState = schema(
  {
    id: 'string',
    title: 'string',
    kind: 'string',
    state: 'string',
    fromT: 'float64',
    toT: 'float64',
    /** Plant time the room's twin stands at. */
    t: 'float64',
    anchorT: 'float64',
    anchorWall: 'float64',
    speed: 'float32',
    playing: 'boolean',
  },
  'MissionPlayState',
);
export type MissionPlayState = SchemaType<typeof MissionPlayState>;

/** An annotation pinned in a replay: a mission event, never part of the plant's log. */
export const AnnotationState = schema(
  {
    id: 'string',
    t: 'float64',
    text: 'string',
    equipmentId: 'string',
    capsuleId: 'string',
    author: 'string',
    color: 'string',
  },
  'AnnotationState',
);
export type AnnotationState = SchemaType<typeof AnnotationState>;

export const PlantRoomState = schema(
  {
    plantId: 'string',
    plantName: 'string',
    /** Plant time of the latest applied event, ms epoch. */
    t: 'float64',
    /** The twin's latest event sequence number. */
    seq: 'float64',
    /** Highest sequence number stored in the database: events at or below it survive a crash. */
    durableSeq: 'float64',
    /** Whether the live source is producing readings. */
    sourceRunning: 'boolean',
    sensors: { map: SensorState },
    actuators: { map: ActuatorState },
    equipment: { map: EquipmentState },
    capsules: { map: CapsuleState },
    presence: { map: PresenceState },
    /** `live` in the plant room, `replay` in a mission's room. */
    mode: 'string',
    mission: MissionPlayState,
    annotations: { map: AnnotationState },
  },
  'PlantRoomState',
);
export type PlantRoomState = SchemaType<typeof PlantRoomState>;

/** A fresh room state with empty maps. */
export function createPlantRoomState(plantId: string, plantName: string): PlantRoomState {
  const state = new PlantRoomState();
  state.plantId = plantId;
  state.plantName = plantName;
  state.t = 0;
  state.seq = 0;
  state.durableSeq = 0;
  state.sourceRunning = false;
  state.sensors = new MapSchema();
  state.actuators = new MapSchema();
  state.equipment = new MapSchema();
  state.capsules = new MapSchema();
  state.presence = new MapSchema();
  state.mode = 'live';
  state.mission = new MissionPlayState();
  state.mission.id = '';
  state.annotations = new MapSchema();
  return state;
}
