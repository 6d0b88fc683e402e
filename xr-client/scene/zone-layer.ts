import { DynamicTexture } from '@babylonjs/core/Materials/Textures/dynamicTexture.js';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js';
import { Color3 } from '@babylonjs/core/Maths/math.color.js';
import { CreateGround } from '@babylonjs/core/Meshes/Builders/groundBuilder.js';
import type { Mesh } from '@babylonjs/core/Meshes/mesh.js';
import type { Scene } from '@babylonjs/core/scene.js';
import type { Zone } from '../../digital-twin/index.js';

// Muted floor tints, distinct enough that neighbouring zones read as separate areas.
const ZONE_TINTS = ['#2f4858', '#3d4f3a', '#4f3f57', '#57493a', '#2f5252', '#4b3a3a'] as const;

/** Texture pixels per metre of zone floor, capped so a 200 m yard does not make a 20k texture. */
const TEXELS_PER_M = 24;
const MAX_TEXTURE_PX = 1024;

/**
 * Zones as floor areas: one ground plane per zone with its name and an outline painted into a
 * DynamicTexture, lying a few millimetres above the plant floor. Plants have a handful of zones,
 * so one mesh and one texture each is cheap; names stay readable in a headset too.
 */
export class ZoneLayer {
  readonly #meshes: Mesh[] = [];

  constructor(scene: Scene, zones: readonly Zone[]) {
    zones.forEach((zone, i) => {
      const width = Math.max(zone.bounds.maxX - zone.bounds.minX, 0.1);
      const depth = Math.max(zone.bounds.maxZ - zone.bounds.minZ, 0.1);
      const mesh = CreateGround(`zone:${zone.id}`, { width, height: depth }, scene);
      mesh.position.set(
        (zone.bounds.minX + zone.bounds.maxX) / 2,
        0.01,
        (zone.bounds.minZ + zone.bounds.maxZ) / 2,
      );
      mesh.isPickable = false;
      mesh.metadata = { zoneId: zone.id };

      const scale = Math.min(TEXELS_PER_M, MAX_TEXTURE_PX / Math.max(width, depth));
      const texture = new DynamicTexture(
        `zone-floor:${zone.id}`,
        {
          width: Math.max(Math.round(width * scale), 16),
          height: Math.max(Math.round(depth * scale), 16),
        },
        scene,
        true,
      );
      paintFloor(texture, zone.name, ZONE_TINTS[i % ZONE_TINTS.length]!);
      const material = new StandardMaterial(`zone:${zone.id}`, scene);
      material.diffuseTexture = texture;
      material.specularColor = Color3.Black();
      // The floor lies under everything; pulling it back avoids z-fighting with the plant floor.
      material.zOffset = 1;
      mesh.material = material;
      this.#meshes.push(mesh);
    });
  }

  get meshes(): readonly Mesh[] {
    return this.#meshes;
  }

  dispose(): void {
    for (const mesh of this.#meshes) {
      mesh.material?.dispose(true, true);
      mesh.dispose();
    }
    this.#meshes.length = 0;
  }
}

function paintFloor(texture: DynamicTexture, name: string, tint: string): void {
  const { width, height } = texture.getSize();
  const ctx = texture.getContext();
  ctx.fillStyle = tint;
  ctx.fillRect(0, 0, width, height);
  const border = Math.max(Math.round(Math.min(width, height) * 0.015), 2);
  ctx.strokeStyle = '#c9d3dc';
  ctx.lineWidth = border;
  ctx.setLineDash([border * 4, border * 3]);
  ctx.strokeRect(border, border, width - 2 * border, height - 2 * border);
  // Name in the near-left corner at about a metre tall, shrunk to fit narrow zones.
  const fontPx = Math.max(Math.min(height * 0.12, width / Math.max(name.length * 0.62, 1), 64), 10);
  ctx.font = `600 ${Math.round(fontPx)}px "DejaVu Sans", "Liberation Sans", Arial, sans-serif`;
  ctx.fillStyle = '#e6edf3';
  // Babylon's ICanvasRenderingContext has no textBaseline: text sits on the alphabetic
  // baseline, so lift it by the descender (about a fifth of the font size).
  ctx.fillText(name, border * 3, height - border * 3 - fontPx * 0.2);
  texture.update(true);
}
