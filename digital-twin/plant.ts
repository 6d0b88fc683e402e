/**
 * The plant file: zones, equipment with positions in metres (Y up), sensors, actuators and the
 * binding that says how each sensor's readings travel. Plain JSON, validated by
 * `validatePlant` (plant-validation.ts) before anything else touches it.
 */

export const PLANT_SCHEMA_VERSION = 1;

export const EQUIPMENT_KINDS = [
  'tank',
  'pump',
  'valve',
  'reactor',
  'heat-exchanger',
  'motor',
  'compressor',
  'pipe',
] as const;
export type EquipmentKind = (typeof EQUIPMENT_KINDS)[number];

export const SENSOR_KINDS = [
  'temperature',
  'pressure',
  'flow',
  'level',
  'vibration',
  'speed',
  'position',
  'current',
  'power',
] as const;
export type SensorKind = (typeof SENSOR_KINDS)[number];

/** Units accepted per sensor kind; the first is the one the simulator computes in. */
export const SENSOR_UNITS: { readonly [K in SensorKind]: readonly string[] } = {
  temperature: ['degC'],
  pressure: ['bar'],
  flow: ['m3/h'],
  level: ['%'],
  vibration: ['mm/s'],
  speed: ['rpm'],
  position: ['%'],
  current: ['A'],
  power: ['kW'],
};

/**
 * The physical quantities the simulator computes per equipment kind; a sensor's `signal` must be
 * one of its equipment's. Units are the first of SENSOR_UNITS for the matching sensor kind.
 */
export const SIGNALS_BY_EQUIPMENT_KIND: { readonly [K in EquipmentKind]: readonly string[] } = {
  tank: ['level', 'temperature', 'pressure'],
  pump: ['flow', 'pressure', 'speed', 'current', 'vibration', 'temperature'],
  valve: ['position', 'flow'],
  reactor: ['temperature', 'pressure', 'level', 'coolantOutletTemperature'],
  'heat-exchanger': [
    'inletTemperature',
    'outletTemperature',
    'coolantInletTemperature',
    'coolantOutletTemperature',
    'flow',
  ],
  motor: ['speed', 'current', 'power', 'vibration', 'temperature'],
  compressor: ['pressure', 'flow', 'speed', 'vibration', 'temperature', 'current', 'power'],
  pipe: ['flow', 'pressure', 'temperature'],
};

export const ACTUATOR_KINDS = ['valve.position', 'pump.run', 'motor.run', 'setpoint'] as const;
export type ActuatorKind = (typeof ACTUATOR_KINDS)[number];

export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

export interface Range {
  min: number;
  max: number;
}

/** A rectangular floor area in the XZ plane. */
export interface Zone {
  id: string;
  name: string;
  bounds: { minX: number; minZ: number; maxX: number; maxZ: number };
}

/** Alarm limits in the sensor's unit. Deadband is the hysteresis a value must clear to return. */
export interface SensorLimits {
  lolo?: number;
  lo?: number;
  hi?: number;
  hihi?: number;
  /** Units the value must move back past a limit before the limit counts as cleared. */
  deadband: number;
  /** How long (ms) a limit must stay violated before a capsule is raised. */
  onDelayMs: number;
}

export type SensorBinding =
  | { source: 'simulator' }
  | {
      source: 'mqtt';
      /** Topic the reading arrives on; `+` and `#` wildcards allowed only in `topicFilter`. */
      topic: string;
      payload: 'json' | 'number' | 'sparkplug';
      /** For Sparkplug B: the metric name inside the DDATA/NDATA payload. */
      metric?: string;
    }
  | {
      source: 'opcua';
      /** Endpoint URL, e.g. `opc.tcp://localhost:4840`; must be one of OPCUA_ENDPOINTS at run time. */
      endpoint: string;
      nodeId: string;
      samplingIntervalMs?: number;
      /** Absolute deadband in the sensor's unit (0 = every change). */
      deadband?: number;
    };

export interface Sensor {
  id: string;
  name?: string;
  kind: SensorKind;
  unit: string;
  range: Range;
  /**
   * The physical quantity of its equipment that this sensor measures, as the simulator names it
   * (e.g. `level`, `temperature`, `outletTemperature`, `pressure`, `flow`, `vibration`).
   */
  signal: string;
  limits?: SensorLimits;
  /** Rate-of-change rule: raise when |rate| exceeds this many units per minute. */
  rateOfChange?: { maxPerMinute: number; onDelayMs: number };
  /** Deviation rule: raise when |reading − simulator expectation| exceeds this (sensor units). */
  deviation?: { tolerance: number; onDelayMs: number };
  /** Another sensor measuring the same quantity, used as an independent check. */
  redundantWith?: string;
  /** Standard deviation of the simulator's measurement noise, in the sensor's unit. */
  noise?: number;
  binding: SensorBinding;
}

export type ActuatorBinding =
  | { source: 'simulator' }
  | { source: 'mqtt'; commandTopic: string; confirmSensor?: string }
  | { source: 'opcua'; endpoint: string; nodeId: string };

export interface Actuator {
  id: string;
  name?: string;
  kind: ActuatorKind;
  /** Valve position 0–1, pump/motor run 0|1, setpoints in their own unit. */
  range: Range;
  initial: number;
  unit?: string;
  /** For setpoints: the controlled quantity the simulator's controller uses (e.g. `temperature`). */
  signal?: string;
  binding: ActuatorBinding;
}

export interface Equipment {
  id: string;
  name: string;
  kind: EquipmentKind;
  zone: string;
  position: Vec3;
  /** Rotation about Y in radians. */
  rotationY?: number;
  /** Bounding dimensions in metres, for drawing. */
  size?: Vec3;
  /** A glTF model under `assets/`, drawn instead of the procedural shape. */
  model?: string;
  /** Physics parameters for the simulator (volumes, areas, nominal flows, …), SI-ish units. */
  params?: Record<string, number>;
  /** Only for kind `pipe`: the equipment it connects, flow direction from → to. */
  connects?: { from: string; to: string; path?: Vec3[] };
  /** 1 (most critical) … 5; feeds capsule priority. Defaults to 3. */
  criticality?: number;
  sensors: Sensor[];
  actuators: Actuator[];
}

/** The plant-writing commands an interlock can block. */
export const INTERLOCK_COMMANDS = [
  'valve.actuate',
  'pump.start',
  'pump.stop',
  'setpoint.change',
] as const;
export type InterlockCommand = (typeof INTERLOCK_COMMANDS)[number];

/**
 * A condition under which a command on one actuator must not run (SPEC I-1 … I-5), e.g.
 * "P-101 may not start while V-101 is closed".
 */
export interface Interlock {
  id: string;
  /** What it protects against, in words; a blocked command's rejection quotes it. */
  description: string;
  /** The actuator whose commands it blocks. */
  actuatorId: string;
  /** Which commands it blocks (default: every plant-writing command on the actuator). */
  commands?: InterlockCommand[];
  /** `increase`: only commands that raise the value (open, start, raise); `decrease`: lower it. */
  direction?: 'any' | 'increase' | 'decrease';
  /** Blocked while this holds: a sensor's latest reading or an actuator's value above/below a bound. */
  while: { sensorId?: string; actuatorId?: string; above?: number; below?: number };
}

export interface Plant {
  schemaVersion: typeof PLANT_SCHEMA_VERSION;
  id: string;
  name: string;
  zones: Zone[];
  equipment: Equipment[];
  /** Conditions that block plant-writing commands (optional). */
  interlocks?: Interlock[];
}
