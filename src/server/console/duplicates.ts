// Dead letters that are duplicates by business key: the same flow later delivered the same record
// (its key system:entity:id — the X-Cart order, the Amazon order id, the SKU …) in a run that
// succeeded after the letter died, so replaying the letter would deliver a stale copy at best.
// They are listed as resolved duplicates and discarded in one action (audited, with the run that
// delivered each one). Celigo calls this auto-resolution by trace key.
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../core/engine.js';
import type { InboxEvent } from '../../core/flow.js';
import { problemSchema } from '../problem.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema } as const;
const duplicateView = {
  type: 'object',
  properties: {
    id: { type: 'integer', description: 'the dead letter' },
    flow: { type: 'string' },
    recordKey: { type: 'string', description: 'the business key: system:entity:id' },
    diedAt: { type: 'integer' },
    deliveredBy: { type: 'integer', description: 'the run that delivered the key later' },
    deliveredAt: { type: 'integer' },
  },
} as const;

export interface Duplicate { id: number; flow: string; recordKey: string; diedAt: number; deliveredBy: number; deliveredAt: number }

/** Dead letters whose flow delivered the same record key after they died. */
export async function findDuplicates(engine: Engine<any>, flow?: string): Promise<Duplicate[]> {
  const dead = await engine.queue.list({ state: 'dead', ...(flow ? { queue: flow } : {}), limit: 20_000 });
  const keyed = dead.flatMap((j) => {
    const p = j.payload as Partial<InboxEvent> | null;
    return p && p.system && p.entity && p.id ? [{ job: j, key: `${p.system}:${p.entity}:${p.id}` }] : [];
  });
  const out: Duplicate[] = [];
  const db = engine.store.db;
  for (let i = 0; i < keyed.length; i += 500) {
    const part = keyed.slice(i, i + 500);
    const runs = await db
      .selectFrom('runs')
      .select(['id', 'flow', 'record_key', 'finished_at'])
      .where('status', '=', 'succeeded')
      .where('record_key', 'in', [...new Set(part.map((k) => k.key))])
      .orderBy('id', 'desc')
      .execute();
    for (const { job, key } of part) {
      const run = runs.find((r) => r.flow === job.queue && r.record_key === key && Number(r.finished_at) > job.updatedAt);
      if (run) out.push({ id: job.id, flow: job.queue, recordKey: key, diedAt: job.updatedAt, deliveredBy: Number(run.id), deliveredAt: Number(run.finished_at) });
    }
  }
  return out;
}

export async function duplicateRoutes(app: FastifyInstance, opts: { engine: Engine<any> }): Promise<void> {
  const { engine } = opts;
  app.get<{ Querystring: { flow?: string } }>(
    '/dead-letters/duplicates',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['dead letters'], operationId: 'listDuplicateDeadLetters',
        summary: 'Dead letters resolved as duplicates by business key: the same flow delivered the same record later (run id and time)',
        querystring: { type: 'object', additionalProperties: false, properties: { flow: { type: 'string' } } },
        response: { 200: { type: 'object', properties: { duplicates: { type: 'array', items: duplicateView } } }, ...errors },
      },
    },
    async (req) => ({ duplicates: await findDuplicates(engine, req.query.flow) }),
  );

  app.post<{ Body: { flow?: string } }>(
    '/dead-letters/duplicates/resolve',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['dead letters'], operationId: 'resolveDuplicateDeadLetters',
        summary: 'Discard every dead letter resolved as a duplicate by business key (optionally of one flow), in one action; the audit log keeps each with the run that delivered its key',
        body: { type: 'object', additionalProperties: false, properties: { flow: { type: 'string' } } },
        response: { 200: { type: 'object', properties: { resolved: { type: 'integer' }, duplicates: { type: 'array', items: duplicateView } } }, ...errors },
      },
    },
    async (req) => {
      // Found again at the moment of the action: a letter replayed meanwhile is not discarded.
      const duplicates = await findDuplicates(engine, req.body?.flow);
      req.auditBefore = { duplicates };
      const resolved = duplicates.length ? await engine.queue.discard(duplicates.map((d) => d.id)) : 0;
      return { resolved, duplicates };
    },
  );
}
