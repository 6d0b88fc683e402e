import { describe, expect, it } from 'vitest';
import { DirtySlots } from '../../../xr-client/capsules/dirty-slots.js';
import { InstanceSlots } from '../../../xr-client/capsules/instance-slots.js';
import { NearestSearch, nearestIndices } from '../../../xr-client/capsules/nearest.js';

describe('InstanceSlots', () => {
  it('keeps live slots dense: removing moves the last slot into the hole', () => {
    const slots = new InstanceSlots();
    for (const id of ['a', 'b', 'c', 'd']) slots.add(id);
    expect(slots.remove('b')).toEqual({ index: 1, movedFrom: 3 });
    expect(slots.count).toBe(3);
    expect([0, 1, 2].map((i) => slots.idAt(i))).toEqual(['a', 'd', 'c']);
    expect(slots.indexOf('d')).toBe(1);
    expect(slots.indexOf('b')).toBeUndefined();
  });

  it('removing the last slot moves nothing', () => {
    const slots = new InstanceSlots();
    slots.add('a');
    slots.add('b');
    expect(slots.remove('b')).toEqual({ index: 1, movedFrom: 1 });
    expect(slots.remove('missing')).toBeUndefined();
    expect(() => slots.idAt(1)).toThrow(/no live instance slot 1/);
  });

  it('refuses a second slot for the same id', () => {
    const slots = new InstanceSlots();
    slots.add('a');
    expect(() => slots.add('a')).toThrow(/already exists/);
  });
});

describe('DirtySlots', () => {
  it('uploads few changes as exact runs of adjacent slots', () => {
    const dirty = new DirtySlots();
    for (const i of [7, 3, 4, 5, 20, 4]) dirty.mark(i);
    expect(dirty.any).toBe(true);
    expect(dirty.ranges(100)).toEqual([
      [3, 3],
      [7, 1],
      [20, 1],
    ]);
  });

  it('uploads many scattered changes as the one span covering them', () => {
    const dirty = new DirtySlots();
    for (let i = 0; i < 40; i += 1) dirty.mark(10 + i * 3);
    expect(dirty.ranges(1000)).toEqual([[10, 39 * 3 + 1]]);
  });

  it('forgets thousands of marks at once, listing none of them one by one', () => {
    const dirty = new DirtySlots();
    for (let i = 0; i < 5000; i += 1) dirty.mark(100 + ((i * 7919) % 5000));
    dirty.mark(100);
    expect(dirty.ranges(10_000)).toEqual([[100, 5000]]);
    expect(dirty.ranges(600)).toEqual([[100, 500]]);
    dirty.clear();
    expect(dirty.any).toBe(false);
    expect(dirty.ranges(10_000)).toEqual([]);
    // Every mark was forgotten: the same slots count again, as exact runs once they are few.
    dirty.mark(150);
    dirty.mark(151);
    dirty.mark(150);
    expect(dirty.ranges(10_000)).toEqual([[150, 2]]);
  });

  it('leaves out slots no longer drawn and forgets everything on clear', () => {
    const dirty = new DirtySlots();
    dirty.mark(2);
    dirty.mark(9);
    expect(dirty.ranges(5)).toEqual([[2, 1]]);
    dirty.clear();
    expect(dirty.ranges(100)).toEqual([]);
    dirty.mark(9);
    expect(dirty.ranges(100)).toEqual([[9, 1]]);
  });
});

describe('nearestIndices', () => {
  it('returns the k nearest points, nearest first, reading strided buffers', () => {
    // stride 4: x, y, z, unused
    const data = new Float32Array([10, 0, 0, 9, 1, 0, 0, 9, 5, 0, 0, 9, -2, 0, 0, 9, 3, 0, 0, 9]);
    expect(nearestIndices(data, 4, 0, 5, { x: 0, y: 0, z: 0 }, 3)).toEqual([1, 3, 4]);
    expect(nearestIndices(data, 4, 0, 5, { x: 9, y: 0, z: 0 }, 2)).toEqual([0, 2]);
    expect(nearestIndices(data, 4, 0, 5, { x: 0, y: 0, z: 0 }, 0)).toEqual([]);
  });

  it('finds the same nearest when the search is fed in slices over several frames', () => {
    const count = 1000;
    const data = new Float32Array(count * 16);
    for (let i = 0; i < count; i += 1) {
      data[i * 16 + 12] = ((i * 7919) % 997) - 498;
      data[i * 16 + 13] = (i * 31) % 7;
      data[i * 16 + 14] = ((i * 104729) % 991) - 495;
    }
    const eye = { x: 20, y: 2, z: -30 };
    const whole = nearestIndices(data, 16, 12, count, eye, 6);
    const sliced = new NearestSearch(eye, 6);
    for (let from = 0; from < count; from += 128)
      sliced.scan(data, 16, 12, from, Math.min(from + 128, count));
    expect(sliced.best).toEqual(whole);
    expect(whole).toHaveLength(6);
  });
});
