/**
 * Messages other than commands that clients send to the plant room, and the join options, each
 * with one zod schema. Presence updates carry what a client points at so others can see it.
 */
import { z } from 'zod';

export const JOIN_OPTIONS = z.object({
  /** Shown to others; defaults to "Guest <session>". */
  name: z.string().trim().min(1).max(64).optional(),
  device: z.enum(['xr', 'desktop']).optional(),
  /** The access token (also accepted as the Authorization header of the matchmaking request). */
  token: z.string().max(4096).optional(),
});
export type JoinOptions = z.infer<typeof JOIN_OPTIONS>;

const coordinate = z.number().refine(Number.isFinite, 'expected a finite number');

export const PRESENCE_MESSAGE = z.strictObject({
  /** A capsule or equipment id; null clears the selection. */
  selection: z.string().max(128).nullable().optional(),
  /** Where the client's pointer hits the plant, metres; null hides it. */
  cursor: z.strictObject({ x: coordinate, y: coordinate, z: coordinate }).nullable().optional(),
  device: z.enum(['xr', 'desktop']).optional(),
  /** Head pose, metres and radians; null hides the avatar's head. Clients send ≤ 20 Hz. */
  head: z
    .strictObject({
      x: coordinate,
      y: coordinate,
      z: coordinate,
      yaw: coordinate,
      pitch: coordinate,
    })
    .nullable()
    .optional(),
  /** Palm centres of tracked hands in XR, metres; null when a hand is not tracked. */
  leftHand: z.strictObject({ x: coordinate, y: coordinate, z: coordinate }).nullable().optional(),
  rightHand: z.strictObject({ x: coordinate, y: coordinate, z: coordinate }).nullable().optional(),
});
export type PresenceMessage = z.infer<typeof PRESENCE_MESSAGE>;

/** Message types the room answers; anything else is refused with a reason. */
export const CLIENT_MESSAGE_TYPES = ['command', 'presence'] as const;
