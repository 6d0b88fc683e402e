/**
 * Who may do what (SPEC P-1 … P-5): the one permission table, used by the plant room, the replay
 * room and the HTTP API alike. Every action a person can take — each command type and each
 * group of routes — names the least role that may take it; roles are ordered, so a higher role
 * may do everything a lower one may.
 */
import type { CommandType } from './commands.js';

/** Roles people have, least to most (P-1). `system` is the rule engine and playback, not a person. */
export const USER_ROLES = ['viewer', 'operator', 'engineer', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export type Role = UserRole | 'system';

/** Actions that are not room commands: groups of HTTP routes (and their room messages). */
export const ROUTE_ACTIONS = [
  'plant.read',
  'mission.create',
  'mission.control',
  'audit.read',
  'users.manage',
] as const;
export type RouteAction = (typeof ROUTE_ACTIONS)[number];
export type Action = CommandType | RouteAction;

/** P-2: the one table. Every command type and route action has exactly one minimum role. */
export const PERMISSIONS: { readonly [A in Action]: UserRole } = {
  'plant.read': 'viewer',
  'capsule.ack': 'operator',
  'capsule.resolve': 'operator',
  'capsule.shelve': 'operator',
  'capsule.unshelve': 'operator',
  'capsule.dismiss': 'operator',
  'annotation.add': 'operator',
  'valve.actuate': 'operator',
  'pump.start': 'operator',
  'pump.stop': 'operator',
  'setpoint.change': 'operator',
  'mission.create': 'operator',
  'mission.control': 'operator',
  'audit.read': 'engineer',
  'users.manage': 'admin',
};

/** P-4: commands that move the plant; they need a confirmation and pass the interlocks first. */
export const PLANT_WRITING_COMMANDS: readonly CommandType[] = [
  'valve.actuate',
  'pump.start',
  'pump.stop',
  'setpoint.change',
];

export function isPlantWriting(type: string): boolean {
  return (PLANT_WRITING_COMMANDS as readonly string[]).includes(type);
}

export function isUserRole(value: unknown): value is UserRole {
  return typeof value === 'string' && (USER_ROLES as readonly string[]).includes(value);
}

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && Object.hasOwn(PERMISSIONS, value);
}

/** P-3: true when `role` may take `action`; the system actor may take every action. */
export function permits(role: Role, action: Action): boolean {
  if (role === 'system') return true;
  const needed = PERMISSIONS[action] as UserRole | undefined;
  if (needed === undefined) return false;
  return USER_ROLES.indexOf(role) >= USER_ROLES.indexOf(needed);
}

/** P-5: why a role may not take an action, in words a person can act on. */
export function refusal(role: Role, action: Action): string {
  const article = role === 'viewer' ? 'a' : 'an';
  return `${action} needs the ${PERMISSIONS[action]} role or higher; you are ${article} ${role}`;
}
