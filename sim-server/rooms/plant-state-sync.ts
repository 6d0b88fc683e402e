/**
 * Copies the live twin into the room's schema state. A full copy when the room opens, then only
 * what a batch of events touched: sensors named by readings (and only fields whose value moved,
 * so a patch carries real changes), capsules raised or changed, actuators moved, and the status
 * of the equipment those capsules sit on.
 */
import { SEVERITIES, openCapsules, sensorReading } from '../../digital-twin/index.js';
import type { Capsule, CompiledPlant, TwinEvent, TwinState } from '../../digital-twin/index.js';
import { ActuatorState, CapsuleState, EquipmentState, SensorState } from './plant-state.js';
import type { PlantRoomState } from './plant-state.js';

/** Actuator kinds that say whether their equipment runs (value ≥ 0.5 means on). */
const RUN_KINDS = new Set(['pump.run', 'motor.run']);

export class PlantStateSync {
  readonly #state: PlantRoomState;
  readonly #plant: CompiledPlant;
  /** Run actuator index per equipment id, for `running`. */
  readonly #runActuator = new Map<string, number>();

  constructor(state: PlantRoomState, plant: CompiledPlant) {
    this.#state = state;
    this.#plant = plant;
    plant.actuators.forEach((actuator, i) => {
      const equipment = plant.actuatorEquipment[i];
      if (equipment !== undefined && RUN_KINDS.has(actuator.kind))
        this.#runActuator.set(equipment.id, i);
    });
  }

  /** Copies everything: every sensor, actuator and equipment, and every open capsule. */
  full(twin: TwinState): void {
    for (const sensor of this.#plant.sensors) this.#syncSensor(twin, sensor.id);
    this.#plant.actuators.forEach((actuator, i) => this.#syncActuator(twin, actuator.id, i));
    for (const id of [...this.#state.capsules.keys()]) {
      if (!twin.capsules.has(id)) this.#state.capsules.delete(id);
    }
    for (const capsule of openCapsules(twin)) this.#syncCapsule(twin, capsule.id);
    for (const id of this.#plant.equipmentById.keys()) this.#syncEquipment(twin, id);
    this.#syncClock(twin);
  }

  /** Copies what `events` touched. */
  apply(twin: TwinState, events: readonly TwinEvent[]): void {
    const equipment = new Set<string>();
    // A batch of many steps names each sensor many times; its latest value is all that travels.
    const sensors = new Set<string>();
    for (const event of events) {
      switch (event.type) {
        case 'readings':
          for (const reading of event.readings) sensors.add(reading.sensorId);
          break;
        case 'capsule.raised':
          this.#syncCapsule(twin, event.capsule.id);
          equipment.add(event.capsule.equipmentId);
          break;
        case 'capsule.changed': {
          const before = this.#state.capsules.get(event.capsuleId);
          if (before !== undefined) equipment.add(before.equipmentId);
          this.#syncCapsule(twin, event.capsuleId);
          break;
        }
        case 'actuator.changed': {
          const i = this.#plant.actuatorIndex.get(event.actuatorId);
          if (i !== undefined) {
            this.#syncActuator(twin, event.actuatorId, i);
            const owner = this.#plant.actuatorEquipment[i];
            if (owner !== undefined) equipment.add(owner.id);
          }
          break;
        }
        case 'expectations':
        case 'command.accepted':
        case 'command.rejected':
        case 'annotation':
        case 'fault.injected':
        case 'fault.cleared':
          break;
      }
    }
    for (const id of sensors) this.#syncSensor(twin, id);
    for (const id of equipment) this.#syncEquipment(twin, id);
    this.#syncClock(twin);
  }

  /** Updates the durable sequence number shown to clients. */
  setDurableSeq(seq: number): void {
    if (this.#state.durableSeq !== seq) this.#state.durableSeq = seq;
  }

  setSourceRunning(running: boolean): void {
    if (this.#state.sourceRunning !== running) this.#state.sourceRunning = running;
  }

  #syncClock(twin: TwinState): void {
    this.#state.t = twin.t;
    this.#state.seq = twin.seq;
  }

  #syncSensor(twin: TwinState, sensorId: string): void {
    const reading = sensorReading(twin, sensorId);
    let entry = this.#state.sensors.get(sensorId);
    if (entry === undefined) {
      if (!this.#plant.sensorIndex.has(sensorId)) return;
      entry = new SensorState();
      entry.value = 0;
      entry.quality = 'none';
      entry.t = 0;
      this.#state.sensors.set(sensorId, entry);
    }
    if (reading === undefined) return;
    // The schema encoder complains about NaN on every set, so a bad reading travels as 0 and its
    // quality says the value means nothing (clients check quality before drawing a value).
    const value = Number.isFinite(reading.value) ? reading.value : 0;
    if (entry.value !== value) entry.value = value;
    if (entry.quality !== reading.quality) entry.quality = reading.quality;
    if (entry.t !== reading.t) entry.t = reading.t;
  }

  #syncActuator(twin: TwinState, actuatorId: string, index: number): void {
    const value = twin.actuators[index] ?? 0;
    let entry = this.#state.actuators.get(actuatorId);
    if (entry === undefined) {
      entry = new ActuatorState();
      entry.value = value;
      entry.t = twin.t;
      this.#state.actuators.set(actuatorId, entry);
      return;
    }
    if (entry.value !== value) {
      entry.value = value;
      entry.t = twin.t;
    }
  }

  #syncCapsule(twin: TwinState, capsuleId: string): void {
    const capsule = twin.capsules.get(capsuleId);
    if (capsule === undefined) {
      // Closed (resolved, dismissed): the twin dropped it; the room lists open capsules only.
      this.#state.capsules.delete(capsuleId);
      return;
    }
    let entry = this.#state.capsules.get(capsuleId);
    if (entry === undefined) {
      entry = new CapsuleState();
      this.#state.capsules.set(capsuleId, entry);
    }
    writeCapsule(entry, capsule);
  }

  #syncEquipment(twin: TwinState, equipmentId: string): void {
    let worst = -1;
    let open = 0;
    for (const capsule of twin.capsules.values()) {
      if (capsule.equipmentId !== equipmentId) continue;
      open += 1;
      worst = Math.max(worst, SEVERITIES.indexOf(capsule.severity));
    }
    const status = worst < 0 ? 'normal' : (SEVERITIES[worst] ?? 'normal');
    const runIndex = this.#runActuator.get(equipmentId);
    const running = runIndex !== undefined && (twin.actuators[runIndex] ?? 0) >= 0.5;
    let entry = this.#state.equipment.get(equipmentId);
    if (entry === undefined) {
      entry = new EquipmentState();
      this.#state.equipment.set(equipmentId, entry);
    }
    if (entry.status !== status) entry.status = status;
    if (entry.running !== running) entry.running = running;
    if (entry.openCapsules !== open) entry.openCapsules = open;
  }
}

/** The fields of a capsule a client draws and lists. */
function writeCapsule(entry: CapsuleState, capsule: Capsule): void {
  const last = capsule.history[capsule.history.length - 1];
  const ack = [...capsule.history].reverse().find((action) => action.action === 'acknowledged');
  entry.id = capsule.id;
  entry.rule = capsule.rule;
  entry.ruleKind = capsule.ruleKind;
  entry.severity = capsule.severity;
  entry.priority = capsule.priority;
  entry.state = capsule.state;
  entry.title = capsule.title;
  entry.description = capsule.description;
  entry.sensorId = capsule.sensorId ?? '';
  entry.equipmentId = capsule.equipmentId;
  entry.x = capsule.position.x;
  entry.y = capsule.position.y;
  entry.z = capsule.position.z;
  entry.raisedAt = capsule.raisedAt;
  entry.updatedAt = capsule.updatedAt;
  entry.consensus = capsule.consensus;
  entry.conditionActive = capsule.conditionActive;
  entry.shelvedUntil = capsule.shelvedUntil ?? 0;
  entry.acknowledgedBy = ack?.actor.name ?? '';
  entry.acknowledgedAt = ack?.t ?? 0;
  entry.lastActor = last?.actor.name ?? '';
  entry.lastAction = last?.action ?? '';
  entry.lastActionAt = last?.t ?? 0;
}
