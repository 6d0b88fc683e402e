import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { Equipment, Plant, Vec3 } from '../../digital-twin/index.js';
import { equipmentSize, nozzleHeight } from './equipment-dimensions.js';
import { EquipmentLayer } from './equipment-layer.js';
import { loadEquipmentModels } from './gltf-models.js';
import { DEFAULT_PIPE_RADIUS_M, PipeLayer } from './pipe-layer.js';
import type { PipeRun } from './pipe-layer.js';
import { routePipe } from './pipe-routing.js';
import { sensorMarkerPositions } from './sensor-layout.js';
import { SensorMarkers } from './sensor-markers.js';
import { ZoneLayer } from './zone-layer.js';

/** Everything drawn for a plant, and the lookups picking and live updates need. */
export interface PlantView {
  readonly plant: Plant;
  readonly equipment: EquipmentLayer;
  readonly pipes: PipeLayer;
  readonly zones: ZoneLayer;
  readonly sensors: SensorMarkers;
  /** Sensor id → marker index (plant-file order). */
  readonly sensorIndex: ReadonlyMap<string, number>;
  /** Equipment id → equipment. */
  readonly equipmentById: ReadonlyMap<string, Equipment>;
  /** Bounding box of everything drawn, for framing the camera. */
  readonly bounds: { min: Vector3; max: Vector3 };
  /** Equipment id picked at a mesh + thin-instance index (procedural, pipe or glTF), if any. */
  equipmentAt(mesh: AbstractMesh, thinInstanceIndex: number): string | undefined;
  dispose(): void;
}

/**
 * Draw a plant: zones, procedural equipment (or its glTF model), pipes along their
 * connections, sensor markers. Models load in the background; until one arrives (or if it
 * fails) the procedural shape stands in.
 */
export function buildPlantView(scene: Scene, plant: Plant): PlantView {
  const equipmentById = new Map(plant.equipment.map((item) => [item.id, item]));
  const zones = new ZoneLayer(scene, plant.zones);
  const equipment = new EquipmentLayer(scene);
  equipment.add(plant.equipment.filter((item) => item.model === undefined));

  const routes = new Map<string, Vec3[]>();
  const runs: PipeRun[] = [];
  for (const item of plant.equipment) {
    if (item.kind !== 'pipe' || item.connects === undefined) continue;
    const from = equipmentById.get(item.connects.from);
    const to = equipmentById.get(item.connects.to);
    // validatePlant guarantees both ends exist; a stale client with a newer plant just skips.
    if (from === undefined || to === undefined) continue;
    const points = routePipe(pipeEnd(from), pipeEnd(to), item.connects.path);
    routes.set(item.id, points);
    runs.push({ id: item.id, points, radius: pipeRadius(item) });
  }
  const pipes = new PipeLayer(scene, runs);

  const sensorIndex = new Map<string, number>();
  const ranges = [];
  for (const item of plant.equipment) {
    for (const sensor of item.sensors) {
      sensorIndex.set(sensor.id, ranges.length);
      ranges.push(sensor.range);
    }
  }
  const sensors = new SensorMarkers(scene, sensorMarkerPositions(plant, routes), ranges);

  const modelMeshes = new Map<AbstractMesh, string>();
  const withModel = plant.equipment.filter(
    (item) => item.model !== undefined && item.kind !== 'pipe',
  );
  if (withModel.length > 0) {
    void loadEquipmentModels(scene, withModel).then((results) => {
      const fallback: Equipment[] = [];
      for (const result of results) {
        if (result.ok) {
          for (const mesh of result.meshes) modelMeshes.set(mesh, result.equipmentId);
        } else {
          console.warn(
            `model of ${result.equipmentId} did not load (${result.reason}); drawing its shape`,
          );
          const item = equipmentById.get(result.equipmentId);
          if (item !== undefined) fallback.push(item);
        }
      }
      equipment.add(fallback);
    });
  }

  return {
    plant,
    equipment,
    pipes,
    zones,
    sensors,
    sensorIndex,
    equipmentById,
    bounds: plantBounds(plant),
    equipmentAt(mesh, index) {
      return (
        equipment.equipmentIdAt(mesh, index) ?? pipes.pipeIdAt(mesh, index) ?? modelMeshes.get(mesh)
      );
    },
    dispose() {
      equipment.dispose();
      pipes.dispose();
      zones.dispose();
      sensors.dispose();
      for (const mesh of modelMeshes.keys()) mesh.dispose();
    },
  };
}

function pipeEnd(item: Equipment): { position: Vec3; size: Vec3; nozzleHeight: number } {
  return { position: item.position, size: equipmentSize(item), nozzleHeight: nozzleHeight(item) };
}

/** Pipe outer radius from `params.diameter` (metres), within what reads as a pipe. */
function pipeRadius(item: Equipment): number {
  const diameter = item.params?.['diameter'];
  if (diameter === undefined || !(diameter > 0)) return DEFAULT_PIPE_RADIUS_M;
  return Math.min(Math.max(diameter / 2, 0.02), 0.6);
}

/** Box around zones and equipment (positions plus drawn sizes). */
export function plantBounds(plant: Plant): { min: Vector3; max: Vector3 } {
  const min = new Vector3(Infinity, 0, Infinity);
  const max = new Vector3(-Infinity, 1, -Infinity);
  for (const zone of plant.zones) {
    min.x = Math.min(min.x, zone.bounds.minX);
    min.z = Math.min(min.z, zone.bounds.minZ);
    max.x = Math.max(max.x, zone.bounds.maxX);
    max.z = Math.max(max.z, zone.bounds.maxZ);
  }
  for (const item of plant.equipment) {
    const size = equipmentSize(item);
    min.x = Math.min(min.x, item.position.x - size.x / 2);
    min.z = Math.min(min.z, item.position.z - size.z / 2);
    max.x = Math.max(max.x, item.position.x + size.x / 2);
    max.z = Math.max(max.z, item.position.z + size.z / 2);
    max.y = Math.max(max.y, item.position.y + size.y);
  }
  if (!Number.isFinite(min.x))
    return { min: new Vector3(-10, 0, -10), max: new Vector3(10, 5, 10) };
  return { min, max };
}
