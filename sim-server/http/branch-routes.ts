/**
 * What-if branches under /api/v1/missions/:id (SPEC B): fork one (202, computed in the
 * background), list a mission's branches, a branch's job and, once computed, its predictions.
 */
import type { BranchService } from '../branches/branch-service.js';
import { jobView } from '../branches/job-view.js';
import type { BranchJob } from '../storage/index.js';
import { BRANCH_CREATE_BODY } from './api-schemas.js';
import type { Gate } from './gate.js';
import { HttpError, notFound } from './http-error.js';
import { parseBody } from './query.js';
import type { HttpResponse, Router } from './router.js';

export type ApiBranches = Pick<BranchService, 'create' | 'get' | 'ofParent'>;

function json(body: unknown, status = 200): HttpResponse {
  return { status, json: body };
}

export function branchRoutes(
  router: Router,
  gate: Gate,
  branches: ApiBranches,
  missionExists: (id: string) => Promise<boolean>,
): void {
  router.post(
    '/api/v1/missions/:id/branches',
    gate('mission.create', async (req, actor) => {
      const id = req.params['id'] ?? '';
      const body = parseBody(BRANCH_CREATE_BODY, req.body);
      const result = await branches.create(id, body, actor);
      if (result.ok) return json({ mission: result.mission, job: jobView(result.job) }, 202);
      if (result.status === 429) {
        throw new HttpError(429, 'queue_full', result.reason, {
          field: result.field,
          headers: { 'Retry-After': String(result.retryAfterS) },
        });
      }
      if (result.status === 404) throw notFound('mission', id);
      throw new HttpError(
        result.status,
        result.status === 409 ? 'conflict' : 'bad_body',
        result.reason,
        { field: result.field },
      );
    }),
  );

  router.get(
    '/api/v1/missions/:id/branches',
    gate('plant.read', async (req) => {
      const id = req.params['id'] ?? '';
      if (!(await missionExists(id))) throw notFound('mission', id);
      return json({ items: (await branches.ofParent(id)).map(jobView) });
    }),
  );

  const jobOf = async (id: string): Promise<BranchJob> => {
    const job = await branches.get(id);
    if (job !== null) return job;
    if (await missionExists(id))
      throw new HttpError(404, 'not_a_branch', `mission "${id}" is not a branch`, { field: 'id' });
    throw notFound('mission', id);
  };

  router.get(
    '/api/v1/missions/:id/branch',
    gate('plant.read', async (req) => json({ job: jobView(await jobOf(req.params['id'] ?? '')) })),
  );

  router.get(
    '/api/v1/missions/:id/predictions',
    gate('plant.read', async (req) => {
      const job = await jobOf(req.params['id'] ?? '');
      if (job.result === null) {
        throw new HttpError(
          409,
          job.status === 'failed' ? 'branch_failed' : 'branch_computing',
          job.status === 'failed'
            ? `branch ${job.missionId} failed: ${job.error ?? 'unknown error'}`
            : `branch ${job.missionId} is ${job.status} (${job.progress}% of its horizon); predictions come when it is done`,
          { field: 'id' },
        );
      }
      return json({
        missionId: job.missionId,
        parentMissionId: job.parentMissionId,
        definition: job.definition,
        hash: job.result.hash,
        ...job.result.predictions,
      });
    }),
  );
}
