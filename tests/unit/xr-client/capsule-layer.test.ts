import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CapsuleDraw } from '../../../xr-client/capsules/capsule-layer.js';
import { CapsuleLayer, lookFor } from '../../../xr-client/capsules/capsule-layer.js';
import { SEVERITY_COLORS, capsuleLook } from '../../../xr-client/capsules/capsule-look.js';
import { LOOK_FLAGS, OPEN_LOOKS } from '../../../xr-client/capsules/packed-look.js';
import { installNullCanvas } from './null-canvas.js';

/**
 * The capsule layer's bookkeeping on Babylon's NullEngine (no GL). Node has no canvas for the
 * label atlas, so a do-nothing 2D canvas stands in for it: what is drawn into the atlas is the
 * browser tests' business, which instances the layer writes is this file's.
 */
beforeAll(installNullCanvas);

const capsule = (id: string, x: number, over: Partial<CapsuleDraw> = {}): CapsuleDraw => ({
  id,
  severity: 'warning',
  state: 'active',
  priority: 3,
  conditionActive: true,
  x,
  y: 2,
  z: 0,
  ...over,
});

describe('CapsuleLayer', () => {
  let engine: NullEngine;
  let scene: Scene;
  let layer: CapsuleLayer;

  beforeEach(() => {
    engine = new NullEngine();
    scene = new Scene(engine);
    layer = new CapsuleLayer(scene);
  });

  afterEach(() => {
    layer.dispose();
    scene.dispose();
    engine.dispose();
  });

  it('updates a capsule by the index upsert gave it, and removes it on a closed state', () => {
    const a = layer.upsert(capsule('a', 1));
    const b = layer.upsert(capsule('b', 2));
    expect([a, b]).toEqual([0, 1]);
    layer.update(b, lookFor('critical', 'acknowledged', true, 1), 5, 6, 7);
    expect(layer.recordOf('b')!.xyz).toEqual([5, 6, 7]);
    // Acknowledged dims and stops pulsing; the other capsule is untouched.
    expect(layer.recordOf('b')!.flags).toBe(0);
    expect(layer.recordOf('a')!.xyz).toEqual([1, 2, 0]);
    expect(lookFor('warning', 'resolved', false, 3)).toBe(-1);
    layer.update(a, lookFor('warning', 'resolved', false, 3), 1, 2, 0);
    expect(layer.count).toBe(1);
    expect(layer.indexOf('a')).toBeUndefined();
    expect(() => layer.update(1, lookFor('info', 'active', true, 3), 0, 0, 0)).toThrow(
      /no capsule is drawn at instance 1/,
    );
    // A fractional index would straddle two capsules' records: refused, nothing written.
    layer.upsert(capsule('c', 3));
    expect(() => layer.update(0.5, lookFor('info', 'active', true, 3), 9, 9, 9)).toThrow(
      /no capsule is drawn at instance 0.5/,
    );
    expect(layer.recordOf('b')!.xyz).toEqual([5, 6, 7]);
    expect(layer.recordOf('c')!.xyz).toEqual([3, 2, 0]);
    // So is a look lookFor never gives (it would index past the shader's look table).
    for (const look of [OPEN_LOOKS, 2.5, -2, Number.NaN])
      expect(() => layer.update(0, look, 9, 9, 9)).toThrow(/is not a capsule look/);
    expect(layer.recordOf('c')!.xyz).toEqual([3, 2, 0]);
  });

  it('draws the look of its fields: the shader reads colour and size by the code written', () => {
    layer.upsert(capsule('a', 1, { severity: 'critical', state: 'acknowledged', priority: 1 }));
    const look = capsuleLook({
      severity: 'critical',
      state: 'acknowledged',
      priority: 1,
      conditionActive: true,
    });
    const record = layer.recordOf('a')!;
    expect(record.look).toBe(lookFor('critical', 'acknowledged', true, 1));
    expect(record.size).toBeCloseTo(look.size);
    expect(record.rgb[0]).toBeCloseTo(SEVERITY_COLORS.critical[0] * look.brightness);
    expect(record.flags).toBe(0);
    // Shelving it changes its look in place; selecting it adds the ring, not a new look.
    layer.upsert(capsule('a', 1, { severity: 'critical', state: 'shelved', priority: 1 }));
    layer.select('a');
    expect(layer.recordOf('a')!.flags).toBe(LOOK_FLAGS.shelved + LOOK_FLAGS.selected);
    expect(layer.recordOf('a')!.look).toBe(lookFor('critical', 'shelved', true, 1));
    layer.select(null);
    expect(layer.recordOf('a')!.flags).toBe(LOOK_FLAGS.shelved);
  });

  it('tells callers when a removal moves a capsule, and the moved capsule keeps its selection', () => {
    for (const id of ['a', 'b', 'c', 'd']) layer.upsert(capsule(id, id.charCodeAt(0)));
    layer.select('d');
    const moves: [string, number, number][] = [];
    layer.onMoved = (id, from, to) => moves.push([id, from, to]);
    layer.remove('b');
    expect(moves).toEqual([['d', 3, 1]]);
    expect(layer.idAt(1)).toBe('d');
    expect(layer.recordOf('d')!.flags & LOOK_FLAGS.selected).toBe(LOOK_FLAGS.selected);
    // An update at the followed index changes 'd', and it stays selected.
    layer.update(1, lookFor('warning', 'active', true, 3), 40, 2, 0);
    expect(layer.recordOf('d')!.xyz[0]).toBe(40);
    expect(layer.recordOf('d')!.flags & LOOK_FLAGS.selected).toBe(LOOK_FLAGS.selected);
    expect(layer.recordOf('a')!.flags & LOOK_FLAGS.selected).toBe(0);
    // Removing the last capsule moves nothing.
    layer.remove('c');
    expect(moves).toHaveLength(1);
  });

  it('draws labels as instances after the capsules, over their capsules', () => {
    for (const id of ['a', 'b', 'c']) layer.upsert(capsule(id, id.charCodeAt(0)));
    layer.setLabel(2, 'b', 'Label of b');
    layer.flush();
    expect(layer.instances).toBe(4);
    const label = layer.recordAt(3);
    expect(label.flags).toBe(LOOK_FLAGS.label);
    expect(label.row).toBe(2);
    expect(label.xyz[0]).toBe('b'.charCodeAt(0));
    expect(label.xyz[1]).toBeCloseTo(2.65, 5);
    // The label follows its capsule, and a new capsule takes the label's instance without
    // inheriting its record.
    layer.upsert(capsule('b', 9, { y: 4 }));
    layer.upsert(capsule('e', 7));
    expect(layer.recordOf('e')!.flags).toBe(0);
    layer.flush();
    expect(layer.instances).toBe(5);
    expect(layer.recordAt(4).xyz[0]).toBe(9);
    expect(layer.recordAt(4).xyz[1]).toBeCloseTo(4.65, 5);
    expect(layer.labelled).toEqual(['b']);
    // A label whose capsule is gone is not drawn.
    layer.remove('b');
    layer.flush();
    expect(layer.instances).toBe(3);
  });

  it('uploads only what changed since the last flush', () => {
    for (let i = 0; i < 100; i += 1) layer.upsert(capsule(`c${i}`, i));
    layer.flush();
    expect(layer.flush()).toBe(0);
    layer.update(50, lookFor('info', 'active', true, 3), 1, 1, 1);
    expect(layer.flush()).toBe(1);
  });
});
