/** Bodies and queries of the sign-in, user and audit routes (validation and OpenAPI alike). */
import { z } from 'zod';
import { USER_ROLES } from '../../digital-twin/index.js';

const roleEnum = z.enum(USER_ROLES, `expected one of ${USER_ROLES.join(', ')}`);

export const SIGN_IN_BODY = z.strictObject({
  name: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

export const CODE_BODY = z.strictObject({
  code: z
    .string()
    .min(1)
    .max(128)
    .describe('the one-time code from the URL printed at first start'),
});

export const REFRESH_BODY = z.strictObject({ refreshToken: z.string().min(1).max(4096) });

export const USER_CREATE_BODY = z.strictObject({
  name: z.string().min(1).max(64),
  password: z.string().min(8, 'expected at least 8 characters').max(256),
  role: roleEnum,
});

export const USER_PATCH_BODY = z
  .strictObject({ role: roleEnum.optional(), disabled: z.boolean().optional() })
  .refine((body) => body.role !== undefined || body.disabled !== undefined, {
    message: 'expected role or disabled',
  });

const time = z.string().regex(/^\d+$/, 'expected ms since the epoch').transform(Number);

export const AUDIT_QUERY = z.strictObject({
  actor: z.string().min(1).max(128).optional().describe('only records of this user id'),
  action: z.string().min(1).max(64).optional().describe('e.g. valve.actuate, sign-in, user.role'),
  result: z.enum(['accepted', 'rejected', 'ok', 'failed']).optional(),
  from: time.optional().describe('wall-clock ms, inclusive'),
  to: time.optional().describe('wall-clock ms, exclusive'),
  cursor: z.string().min(1).max(512).optional().describe('nextCursor from the previous page'),
  limit: z
    .string()
    .regex(/^\d+$/, 'expected a whole number from 1 to 1000')
    .transform(Number)
    .pipe(z.number().int().min(1).max(1000))
    .default(50),
});
