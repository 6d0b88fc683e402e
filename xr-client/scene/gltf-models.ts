import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode.js';
import { LoadAssetContainerAsync } from '@babylonjs/core/Loading/sceneLoader.js';
import type { Scene } from '@babylonjs/core/scene.js';
import { RegisterGLTF2Loader } from '@babylonjs/loaders/glTF/2.0/glTFLoader.pure.js';
import { RegisterGLTFFileLoader } from '@babylonjs/loaders/glTF/glTFFileLoader.pure.js';
import type { Equipment } from '../../digital-twin/index.js';

let registered = false;

/** Register the glTF 2.0 loader once; explicit rather than an import side effect. */
export function registerGltfLoader(): void {
  if (registered) return;
  RegisterGLTF2Loader();
  RegisterGLTFFileLoader();
  registered = true;
}

/** A model path from a plant file, as a same-origin URL (`assets/` is Vite's public folder). */
export function modelUrl(model: string, base: string = document.baseURI): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(model) || model.startsWith('//')) {
    // Plant files name files under assets/; an absolute URL would fetch from elsewhere at run time.
    throw new Error(`model '${model}': expected a path under assets/, not a URL`);
  }
  return new URL(model.replace(/^\/+/, ''), base).href;
}

/** What loading one equipment's model gave. */
export type ModelLoadResult =
  | { equipmentId: string; ok: true; root: TransformNode; meshes: AbstractMesh[] }
  | { equipmentId: string; ok: false; reason: string };

/**
 * Load the glTF model of each equipment that names one, placed at its position and rotation.
 * A model that fails to load is reported, not thrown: the caller draws the procedural shape
 * instead, so one broken file never blanks the plant.
 */
export async function loadEquipmentModels(
  scene: Scene,
  equipment: readonly Equipment[],
): Promise<ModelLoadResult[]> {
  registerGltfLoader();
  const withModel = equipment.filter((item) => item.model !== undefined && item.kind !== 'pipe');
  return Promise.all(
    withModel.map(async (item): Promise<ModelLoadResult> => {
      try {
        const container = await LoadAssetContainerAsync(modelUrl(item.model!), scene);
        const root = new TransformNode(`model:${item.id}`, scene);
        root.position.set(item.position.x, item.position.y, item.position.z);
        root.rotation.y = item.rotationY ?? 0;
        for (const node of container.rootNodes) node.parent = root;
        container.addAllToScene();
        const meshes = container.meshes;
        for (const mesh of meshes) mesh.metadata = { equipmentId: item.id };
        return { equipmentId: item.id, ok: true, root, meshes };
      } catch (error) {
        return {
          equipmentId: item.id,
          ok: false,
          reason: error instanceof Error ? error.message : String(error),
        };
      }
    }),
  );
}
