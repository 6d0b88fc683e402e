/**
 * Driving an emulated Meta Quest 3 (IWER) from a browser test: install it before the page
 * loads, aim the right hand's pointer ray at a capsule or at a control of an XR GUI plane, and
 * pinch. Served on `localhost` (Babylon refuses XR on 127.0.0.1).
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** IWER's browser build, wherever npm put the package. */
const IWER_SCRIPT = createRequire(import.meta.url).resolve('iwer/build/iwer.min.js');

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- the page-side app and IWER are reached through window in page.evaluate */

/**
 * Put an emulated Meta Quest 3 in the page before anything else runs. IWER 2.5.0 builds an
 * offset reference space from the XRRigidTransform object itself instead of its matrix, so
 * every offset space has a NaN origin: Babylon moves the user (start pose, teleport) with
 * exactly such spaces. The wrapper hands IWER the transform's matrix, as the spec means it.
 */
export async function installQuest3(page: Page): Promise<void> {
  await page.addInitScript({ path: IWER_SCRIPT });
  await page.addInitScript(() => {
    const iwer = (window as any).IWER;
    const device = new iwer.XRDevice(iwer.metaQuest3);
    device.installRuntime({ forceInstall: true });
    const proto = iwer.XRReferenceSpace.prototype;
    const offsetSpace = proto.getOffsetReferenceSpace;
    proto.getOffsetReferenceSpace = function (offset: any) {
      return offsetSpace.call(this, offset?.matrix ?? offset);
    };
    (window as any).__xrDevice = device;
  });
}

/**
 * What to aim the right hand at: a capsule's glyph, or a control (by name) of a GUI on one of
 * the XR user-interface planes (the details panel, the mission bar), at `fx` of its width from
 * its left edge (default its centre).
 */
export type AimTarget = { capsule: string } | { panelControl: string; fx?: number };

/**
 * Turn the emulated right hand so its pointer ray (as Babylon reports it, in world space)
 * points at `target`, and say whether a pick along that ray lands on it ('hit') or what it
 * found instead. The device-to-world map is measured by moving the hand one metre along the
 * device's x, y and z, so no assumption about Babylon's handedness or the user's start pose
 * (an offset reference space) is made. A panel control's world point comes from the panel
 * plane: the control's centre in GUI texture pixels, through the plane's uv → local map, then
 * the plane's world matrix.
 */
export async function aimRightHandAt(page: Page, target: AimTarget): Promise<string> {
  return page.evaluate(async (target) => {
    const twin = (window as any).twinspace;
    const scene = twin.handles.scene;
    const device = (window as any).__xrDevice;
    const hand = device.hands.right;
    // IWER applies a new hand pose at the start of an XR frame and Babylon moves the pointer
    // within that frame; frames take ~1 s of software rendering here, and far longer when the
    // machine is loaded, so wait for two whole frames rather than for a fixed time.
    const xrFrames = twin.xr.experience.baseExperience.sessionManager.onXRFrameObservable;
    const frame = (): Promise<void> =>
      new Promise((resolve) => {
        let seen = 0;
        const observer = xrFrames.add(() => {
          seen += 1;
          if (seen < 2) return;
          xrFrames.remove(observer);
          resolve();
        });
      });
    const controller = (): any =>
      twin.xr.experience.input.controllers.find((c: any) => c.inputSource.handedness === 'right');
    // One Ray object reused: createPickingRay is simply a convenient way to get a Babylon Ray.
    twin.__ray ??= scene.createPickingRay(0, 0, null, null);
    const worldRay = (): { o: number[]; d: number[] } => {
      controller().getWorldPointerRayToRef(twin.__ray);
      const { origin, direction } = twin.__ray;
      return { o: [origin.x, origin.y, origin.z], d: [direction.x, direction.y, direction.z] };
    };
    const fmt = (a: number[]): string => a.map((v) => v.toFixed(2)).join(',');
    const sub = (a: number[], b: number[]): number[] => a.map((v, i) => v - b[i]!);
    const norm = (a: number[]): number[] => {
      const l = Math.hypot(a[0]!, a[1]!, a[2]!) || 1;
      return a.map((v) => v / l);
    };
    const dot = (a: number[], b: number[]): number => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
    const cross = (a: number[], b: number[]): number[] => [
      a[1]! * b[2]! - a[2]! * b[1]!,
      a[2]! * b[0]! - a[0]! * b[2]!,
      a[0]! * b[1]! - a[1]! * b[0]!,
    ];

    // A GUI made for a mesh is that mesh's material's emissive texture.
    const uiMeshes = (): any[] =>
      scene.meshes.filter((m: any) => m.metadata?.xrUi === true && m.isEnabled());
    const panelControl = (name: string): any => {
      for (const mesh of uiMeshes()) {
        const control = mesh.material?.emissiveTexture?.getControlByName?.(name);
        if (control) return control;
      }
      return undefined;
    };
    const panelMesh = (): any => {
      if ('capsule' in target) return undefined;
      const host = panelControl(target.panelControl)?.host;
      return uiMeshes().find((m: any) => m.material?.emissiveTexture === host);
    };
    const fx = 'capsule' in target ? 0.5 : (target.fx ?? 0.5);
    /** Texture pixel (GUI coordinates) → uv on the plane, as the mesh GUI maps picks. */
    const uvOf = (adt: any, px: number, py: number): number[] => {
      const size = adt.getSize();
      const v = py / size.height;
      return [px / size.width, adt.applyYInversionOnUpdate ? 1 - v : v];
    };
    /** The plane's local point at uv, from three of its vertices (the uv map is affine). */
    const localAt = (mesh: any, uv: number[]): number[] => {
      const p = mesh.getVerticesData('position');
      const t = mesh.getVerticesData('uv');
      const P = (i: number): number[] => [p[3 * i], p[3 * i + 1], p[3 * i + 2]];
      const T = (i: number): number[] => [t[2 * i], t[2 * i + 1]];
      const [p0, p1, p2] = [P(0), P(1), P(2)];
      const [t0, t1, t2] = [T(0), T(1), T(2)];
      const a = [t1[0]! - t0[0]!, t1[1]! - t0[1]!];
      const b = [t2[0]! - t0[0]!, t2[1]! - t0[1]!];
      const r = [uv[0]! - t0[0]!, uv[1]! - t0[1]!];
      const det = a[0]! * b[1]! - a[1]! * b[0]!;
      const s = (r[0]! * b[1]! - r[1]! * b[0]!) / det;
      const u = (a[0]! * r[1]! - a[1]! * r[0]!) / det;
      return p0.map((v, i) => v + s * (p1[i]! - v) + u * (p2[i]! - v));
    };
    const targetPoint = (): number[] | null => {
      if ('capsule' in target) {
        const p = twin.layer.positionOf(target.capsule);
        return p === undefined ? null : [p.x, p.y, p.z];
      }
      const mesh = panelMesh();
      const control = panelControl(target.panelControl);
      if (mesh === undefined || control === undefined) return null;
      const m = control.transformedMeasure;
      const local = localAt(mesh, uvOf(control.host, m.left + m.width * fx, m.top + m.height / 2));
      const V = mesh.position.constructor;
      const w = V.TransformCoordinates(new V(local[0], local[1], local[2]), mesh.getWorldMatrix());
      return [w.x, w.y, w.z];
    };
    /** What a pick along the hand's ray lands on, in the terms of the target. */
    const landsOn = (): string => {
      if ('capsule' in target) return String(twin.layer.pick(twin.__ray));
      const hit = scene.pickWithRay(
        twin.__ray,
        (m: any) => m.isPickable && m.isVisible && m.isEnabled(),
      );
      if (!hit?.hit) return 'nothing';
      if (hit.pickedMesh !== panelMesh()) return `mesh ${hit.pickedMesh.name}`;
      const uv = hit.getTextureCoordinates();
      const control = panelControl(target.panelControl);
      const size = control.host.getSize();
      const px = uv.x * size.width;
      const py = (control.host.applyYInversionOnUpdate ? 1 - uv.y : uv.y) * size.height;
      return control.contains(px, py) ? target.panelControl : `panel at ${fmt([px, py])}`;
    };
    const wanted = 'capsule' in target ? target.capsule : target.panelControl;

    for (let i = 0; i < 20 && controller() === undefined; i += 1) await frame();
    if (controller() === undefined)
      return `no right-hand controller (${twin.xr.experience.input.controllers.length} inputs)`;
    const start = [hand.position.x, hand.position.y, hand.position.z];
    const p0 = worldRay().o;
    hand.position.set(start[0] + 1, start[1], start[2]);
    await frame();
    const mx = norm(sub(worldRay().o, p0));
    hand.position.set(start[0], start[1], start[2] + 1);
    await frame();
    const mz = norm(sub(worldRay().o, p0));
    hand.position.set(start[0], start[1] + 1, start[2]);
    await frame();
    const my = norm(sub(worldRay().o, p0));
    hand.position.set(start[0], start[1], start[2]);
    await frame();
    const toDevice = (w: number[]): number[] => [dot(mx, w), dot(my, w), dot(mz, w)];
    // Device-space quaternion product (x, y, z, w).
    const mul = (a: number[], b: number[]): number[] => [
      a[3]! * b[0]! + a[0]! * b[3]! + a[1]! * b[2]! - a[2]! * b[1]!,
      a[3]! * b[1]! - a[0]! * b[2]! + a[1]! * b[3]! + a[2]! * b[0]!,
      a[3]! * b[2]! + a[0]! * b[1]! - a[1]! * b[0]! + a[2]! * b[3]!,
      a[3]! * b[3]! - a[0]! * b[0]! - a[1]! * b[1]! - a[2]! * b[2]!,
    ];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const p = targetPoint();
      if (p === null) return `no ${wanted} to aim at`;
      const ray = worldRay();
      const want = toDevice(norm(sub(p, ray.o)));
      const have = toDevice(norm(ray.d));
      const axis = cross(have, want);
      const s = Math.hypot(axis[0]!, axis[1]!, axis[2]!);
      const c = dot(have, want);
      if (s < 1e-3 && c > 0) break;
      const angle = Math.atan2(s, c);
      const k = Math.sin(angle / 2) / (s || 1);
      const delta = [axis[0]! * k, axis[1]! * k, axis[2]! * k, Math.cos(angle / 2)];
      const q = hand.quaternion;
      const next = mul(delta, [q.x, q.y, q.z, q.w]);
      hand.quaternion.set(next[0], next[1], next[2], next[3]);
      await frame();
    }
    const final = worldRay();
    const found = landsOn();
    return found === wanted
      ? 'hit'
      : `missed: found ${found}, ray ${fmt(final.o)} → ${fmt(final.d)}, target at ${fmt(targetPoint() ?? [])}`;
  }, target);
}

/**
 * Pinch with the right hand and let go (IWER animates the fingers; WebXR fires selectstart and
 * selectend). A headset frame here takes about a second of software rendering, so the pinch is
 * held until Babylon has turned it into a pointer down, and released until it reports the up.
 * Resolves what was seen: `down up` for a whole pinch.
 */
export async function pinchRightHand(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const scene = (window as any).twinspace.handles.scene;
    const hand = (window as any).__xrDevice.hands.right;
    const seen = (type: number): Promise<boolean> =>
      new Promise((resolve) => {
        const observer = scene.onPointerObservable.add((info: any) => {
          if (info.type !== type) return;
          scene.onPointerObservable.remove(observer);
          resolve(true);
        });
        setTimeout(() => {
          scene.onPointerObservable.remove(observer);
          resolve(false);
        }, 10_000);
      });
    const down = seen(1); // PointerEventTypes.POINTERDOWN
    hand.updatePinchValue(1);
    const pressed = await down;
    const up = seen(2); // PointerEventTypes.POINTERUP
    hand.updatePinchValue(0);
    const released = await up;
    return `${pressed ? 'down' : 'no down'} ${released ? 'up' : 'no up'}`;
  });
}
/* eslint-enable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument */
