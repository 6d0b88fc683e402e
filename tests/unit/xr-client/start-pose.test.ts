import { describe, expect, it } from 'vitest';
import { xrStartPose } from '../../../xr-client/xr/start-pose.js';

const floor = { minX: 0, minZ: 0, maxX: 20, maxZ: 10 };

describe('xrStartPose', () => {
  it('stands the user on the floor just inside the near edge, in the middle, facing the centre', () => {
    expect(xrStartPose([floor], [])).toEqual({ x: 10, z: 1, lookAtX: 10, lookAtZ: 5 });
  });

  it('steps aside from equipment standing where the middle spot would be', () => {
    const tank = { minX: 9, minZ: 0, maxX: 11, maxZ: 2 };
    const pose = xrStartPose([floor], [tank]);
    expect(pose.z).toBe(1);
    // The nearest spot at arm's length from the tank, on either side.
    expect(Math.abs(pose.x - 10)).toBe(3);
    expect(pose.x < tank.minX - 1 || pose.x > tank.maxX + 1).toBe(true);
  });

  it('stands outside the plant when its whole near edge is taken', () => {
    const wall = { minX: 0, minZ: 0, maxX: 20, maxZ: 3 };
    expect(xrStartPose([floor], [wall])).toEqual({ x: 10, z: -2, lookAtX: 10, lookAtZ: 5 });
  });
});
