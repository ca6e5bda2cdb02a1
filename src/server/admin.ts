// The admin API under /api/: runs, dead letters, connections, queue and flows. Every route declares
// the least role it needs (`config.role`), checked by src/server/auth.ts before anything else runs.
// Schemas below validate input (400 with the reason) and document the API (OpenAPI at
// /api/docs/json); they do not filter output.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConnectionStore } from '../core/connections.js';
import type { ConnectionOps } from '../core/connection-health.js';
import type { Engine } from '../core/engine.js';
import { userError } from '../core/errors.js';
import type { InboxEvent } from '../core/flow.js';
import type { JobView } from '../core/queue/port.js';
import { redact } from '../core/redact.js';
import { ROLES, type Role } from '../core/roles.js';
import { mayRevealPii } from './auth.js';
import type { ApiTokenStore } from '../core/tokens.js';
import { problemSchema, withStatus } from './problem.js';

export interface AdminOptions {
  engine: Engine<any>;
  connections: ConnectionStore;
  tokens: ApiTokenStore;
  /** Tests, live reloads and in-use checks of connections (absent: edits apply at the next start). */
  connectionOps?: ConnectionOps;
}

const idParam = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const;
const connParam = { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' } }, required: ['id'] } as const;
const paging = { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, offset: { type: 'integer', minimum: 0, default: 0 } } as const;
const errors = { 400: problemSchema, 401: problemSchema, 404: problemSchema } as const;
const anyJson = { description: 'any JSON value' } as const;

const serializedError = {
  type: ['object', 'null'],
  properties: { code: { type: 'string' }, kind: { type: 'string', enum: ['user', 'transient', 'bug'] }, message: { type: 'string' }, details: { type: 'object', additionalProperties: true }, retryAfterMs: { type: 'integer' } },
} as const;
const run = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    eventId: { type: ['integer', 'null'] },
    jobId: { type: 'integer' },
    flow: { type: 'string' },
    recordKey: { type: 'string', description: 'system:entity:id of the source record' },
    status: { type: 'string', enum: ['succeeded', 'skipped', 'retrying', 'dead'] },
    attempt: { type: 'integer' },
    error: serializedError,
    startedAt: { type: 'integer', description: 'epoch ms' },
    finishedAt: { type: 'integer', description: 'epoch ms' },
  },
} as const;
const step = {
  type: 'object',
  properties: { step: { type: 'string' }, status: { type: 'string', enum: ['ok', 'error', 'skipped'] }, input: anyJson, output: anyJson, error: serializedError, startedAt: { type: 'integer' }, durationMs: { type: 'number' } },
} as const;
const attempt = { type: 'object', properties: { attempt: { type: 'integer' }, at: { type: 'integer' }, error: serializedError, outcome: { type: 'string' } } } as const;
const deadLetterSummary = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    flow: { type: 'string' },
    recordKey: { type: ['string', 'null'] },
    eventId: { type: ['integer', 'null'] },
    attempts: { type: 'integer' },
    error: serializedError,
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
} as const;
const connectionView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    system: { type: 'string' },
    config: { type: 'object', additionalProperties: true },
    secrets: { type: 'object', additionalProperties: { type: 'string' }, description: 'secret names, values masked as ••••' },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
} as const;

const revealParam = { reveal: { type: 'string', enum: ['pii'], description: 'operator or admin: personal data unmasked (default and for viewers: masked)' } } as const;

/** Personal data masked (fields by name, e-mails and phone numbers in any text) unless the caller may and asks to see it. */
function shown<T>(req: FastifyRequest, value: T): T {
  return mayRevealPii(req, (req.query as { reveal?: string } | undefined)?.reveal === 'pii') ? value : redact(value);
}

const notFound = (what: string) => withStatus(userError('API_NOT_FOUND', what), 404);

export async function adminRoutes(app: FastifyInstance, opts: AdminOptions): Promise<void> {
  const { engine, connections, tokens } = opts;

  // ---- runs
  app.get<{ Querystring: { flow?: string; status?: string; q?: string; since?: number; until?: number; limit: number; offset: number } }>(
    '/runs',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['runs'],
        operationId: 'listRuns', summary: 'List runs, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            flow: { type: 'string' },
            status: { type: 'string', enum: ['succeeded', 'skipped', 'retrying', 'dead'] },
            q: { type: 'string', minLength: 1, maxLength: 200, description: 'business key: X-Cart order number, Amazon order id, SKU, settlement id… (in the record key or a step\'s input or output)' },
            since: { type: 'integer', description: 'finished at or after (epoch ms)' },
            until: { type: 'integer', description: 'finished before (epoch ms)' },
            ...revealParam,
            ...paging,
          },
        },
        response: { 200: { type: 'object', properties: { runs: { type: 'array', items: run } } }, ...errors },
      },
    },
    async (req) => ({ runs: shown(req, await engine.runs.list(req.query)) }),
  );

  app.get<{ Params: { id: number } }>(
    '/runs/:id',
    { config: { role: 'viewer' }, schema: { tags: ['runs'], operationId: 'getRun', summary: 'One run with its steps (input, output, error, duration)', params: idParam, querystring: { type: 'object', additionalProperties: false, properties: revealParam }, response: { 200: { ...run, properties: { ...run.properties, steps: { type: 'array', items: step } } }, ...errors } } },
    async (req) => shown(req, await engine.runs.get(req.params.id)) ?? Promise.reject(notFound(`run ${req.params.id} does not exist (runs are kept for the retention period)`)),
  );

  // ---- dead letters
  const deadLetter = async (id: number): Promise<JobView> => {
    const job = await engine.queue.get(id);
    if (!job) throw notFound(`dead letter ${id} does not exist (replayed and delivered, or discarded)`);
    if (job.state !== 'dead') throw notFound(`job ${id} is not a dead letter: it is ${job.state}`);
    return job;
  };

  app.get<{ Querystring: { flow?: string; limit: number; offset: number } }>(
    '/dead-letters',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['dead letters'],
        operationId: 'listDeadLetters', summary: 'List dead letters, oldest first',
        querystring: { type: 'object', additionalProperties: false, properties: { flow: { type: 'string' }, ...revealParam, ...paging } },
        response: { 200: { type: 'object', properties: { deadLetters: { type: 'array', items: deadLetterSummary } } }, ...errors },
      },
    },
    async (req) => {
      const jobs = await engine.queue.list({ state: 'dead', ...(req.query.flow ? { queue: req.query.flow } : {}), limit: req.query.limit, offset: req.query.offset });
      return { deadLetters: shown(req, jobs.map(summary)) };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/dead-letters/:id',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['dead letters'],
        operationId: 'getDeadLetter', summary: 'One dead letter: its error, inputs (the job payload), attempt history and runs',
        description: 'Personal data (names, addresses, e-mail addresses and phone numbers, also inside free text) is masked unless an operator or admin asks with `?reveal=pii` (e.g. to edit the payload).',
        params: idParam,
        querystring: { type: 'object', additionalProperties: false, properties: revealParam },
        response: {
          200: { ...deadLetterSummary, properties: { ...deadLetterSummary.properties, inputs: anyJson, history: { type: 'array', items: attempt }, runs: { type: 'array', items: run } } },
          ...errors,
        },
      },
    },
    async (req) => {
      const job = await deadLetter(req.params.id);
      const runs = await engine.runs.list({ jobId: job.id, limit: 100 });
      return shown(req, { ...summary(job), inputs: job.payload, history: job.history, runs });
    },
  );

  app.put<{ Params: { id: number }; Body: { payload: unknown } }>(
    '/dead-letters/:id/payload',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['dead letters'],
        operationId: 'editDeadLetterPayload', summary: 'Replace the payload of one dead letter and replay it',
        description: 'The body is `{payload}` with the new job payload, in the shape `inputs` is shown in. The record it belongs to (system, entity, id, version) cannot change: fix the data, not the identity.',
        params: idParam,
        body: { type: 'object', required: ['payload'], additionalProperties: false, properties: { payload: anyJson } },
        response: { 200: { type: 'object', properties: { replayed: { type: 'integer' } } }, ...errors },
      },
    },
    async (req) => {
      const job = await deadLetter(req.params.id);
      req.auditBefore = job.payload;
      checkSameRecord(job.payload, req.body.payload);
      return { replayed: await engine.queue.replay([job.id], { payload: req.body.payload }) };
    },
  );

  app.post<{ Body: { ids?: number[]; all?: boolean; flow?: string } }>(
    '/dead-letters/replay',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['dead letters'],
        operationId: 'replayDeadLetters', summary: 'Replay dead letters: the given ids, or all (of one flow)',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { ids: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, maxItems: 10000 }, all: { type: 'boolean', const: true }, flow: { type: 'string' } },
          oneOf: [{ required: ['ids'], not: { required: ['all'] } }, { required: ['all'], not: { required: ['ids'] } }],
        },
        response: { 200: { type: 'object', properties: { replayed: { type: 'integer' }, requested: { type: 'integer' } } }, ...errors },
      },
    },
    async (req) => {
      let ids = req.body.ids ?? [];
      if (req.body.all) {
        ids = [];
        for (let offset = 0; ; offset += 1000) {
          const page = await engine.queue.list({ state: 'dead', ...(req.body.flow ? { queue: req.body.flow } : {}), limit: 1000, offset });
          ids.push(...page.map((j) => j.id));
          if (page.length < 1000) break;
        }
      } else if (req.body.flow) {
        throw withStatus(userError('API_INVALID_REQUEST', '"flow" narrows "all": give either {ids} or {all: true, flow?}'), 400);
      }
      let replayed = 0;
      // Chunks keep SQLite below its bound-parameter limit.
      for (let i = 0; i < ids.length; i += 500) replayed += await engine.queue.replay(ids.slice(i, i + 500));
      return { replayed, requested: ids.length };
    },
  );

  app.delete<{ Params: { id: number }; Querystring: { reason?: string } }>(
    '/dead-letters/:id',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['dead letters'], operationId: 'discardDeadLetter', summary: 'Discard one dead letter (it will not be delivered)',
        description: 'The `reason` is kept in the audit log with the discarded payload.',
        params: idParam,
        querystring: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: 500 } } },
        response: { 204: { type: 'null', description: 'discarded' }, ...errors },
      },
    },
    async (req, reply) => {
      req.auditBefore = await deadLetter(req.params.id);
      if ((await engine.queue.discard([req.params.id])) === 0) throw notFound(`dead letter ${req.params.id} was replayed or discarded meanwhile`);
      return reply.code(204).send();
    },
  );

  // ---- connections
  app.get('/connections', { config: { role: 'viewer' }, schema: { tags: ['connections'], operationId: 'listConnections', summary: 'List connections (secret values never shown)', response: { 200: { type: 'object', properties: { connections: { type: 'array', items: connectionView } } }, ...errors } } }, async () => ({
    connections: await connections.list(),
  }));

  app.get<{ Params: { id: string } }>(
    '/connections/:id',
    { config: { role: 'viewer' }, schema: { tags: ['connections'], operationId: 'getConnection', summary: 'One connection (secret values never shown)', params: connParam, response: { 200: connectionView, ...errors } } },
    async (req) => (await connections.describe(req.params.id)) ?? Promise.reject(notFound(`connection "${req.params.id}" does not exist`)),
  );

  app.put<{ Params: { id: string }; Body: { system: string; config?: Record<string, unknown>; secrets?: Record<string, unknown> } }>(
    '/connections/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['connections'],
        operationId: 'putConnection', summary: 'Create or replace a connection',
        description: 'Secrets go in and are sealed with AES-256-GCM; they never come out. Omit `secrets` to keep the stored ones while changing `config`.',
        params: connParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['system'],
          properties: { system: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,31}$' }, config: { type: 'object', additionalProperties: true }, secrets: { type: 'object', additionalProperties: true } },
        },
        response: { 200: connectionView, ...errors },
      },
    },
    async (req) => {
      const ops = opts.connectionOps;
      const before = ops ? await connections.describe(req.params.id) : undefined;
      req.auditBefore = before ?? (await connections.describe(req.params.id));
      const users = ops?.usedBy(req.params.id) ?? [];
      if (before && users.length && before.system !== req.body.system) {
        throw withStatus(userError('CONNECTION_IN_USE', `connection "${req.params.id}" is used by ${users.join(', ')}: its system cannot change`, { details: { flows: users } }), 409);
      }
      const saved = await connections.upsert({ id: req.params.id, system: req.body.system, ...(req.body.config ? { config: req.body.config } : {}), ...(req.body.secrets ? { secrets: req.body.secrets } : {}) });
      // Applies live: the client is rebuilt and tested (a paused connection resumes when the new credentials work).
      if (ops) {
        try {
          await ops.changed(req.params.id);
        } catch (e) {
          req.log.warn({ connection: req.params.id, err: (e as Error).message }, 'connection saved, but its client could not be rebuilt');
        }
      }
      return saved;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/connections/:id/test',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['connections'],
        operationId: 'testConnection',
        summary: "Test a connection with the connector's cheapest authenticated call",
        description: 'Answers 200 whatever the outcome: `ok`, the time taken, the connection state after the test, and the error when it failed. A passing test resumes a paused connection.',
        params: connParam,
        response: {
          200: { type: 'object', properties: { connection: { type: 'string' }, ok: { type: 'boolean' }, ms: { type: 'integer' }, state: { type: 'string' }, error: { type: 'object', additionalProperties: true }, notes: { type: 'array', items: { type: 'string' }, description: 'what the connector wants an operator to know, e.g. a safeguard of the target that is off' } } },
          ...errors,
        },
      },
    },
    async (req) => {
      if (!opts.connectionOps) throw notFound('connection tests need a running engine');
      if (!(await connections.describe(req.params.id))) throw notFound(`connection "${req.params.id}" does not exist`);
      // A connection stored over the API since the start has no client yet: build it first.
      return (await opts.connectionOps.changed(req.params.id)) ?? Promise.reject(notFound(`connection "${req.params.id}" does not exist`));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/connections/:id',
    { config: { role: 'admin' }, schema: { tags: ['connections'], operationId: 'deleteConnection', summary: 'Delete a connection', params: connParam, response: { 204: { type: 'null', description: 'deleted' }, ...errors } } },
    async (req, reply) => {
      const users = opts.connectionOps?.usedBy(req.params.id) ?? [];
      if (users.length) throw withStatus(userError('CONNECTION_IN_USE', `connection "${req.params.id}" is used by ${users.join(', ')}; remove or rebind those flows first`, { details: { flows: users } }), 409);
      if (!(await connections.delete(req.params.id))) throw notFound(`connection "${req.params.id}" does not exist`);
      await opts.connectionOps?.changed(req.params.id).catch(() => undefined);
      return reply.code(204).send();
    },
  );

  // ---- API tokens (for a console or automation; the first token comes from the CLI)
  const tokenView = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, role: { type: 'string', enum: [...ROLES] }, createdAt: { type: 'integer' }, lastUsedAt: { type: ['integer', 'null'] } } } as const;
  app.get('/tokens', { config: { role: 'admin' }, schema: { tags: ['tokens'], operationId: 'listTokens', summary: 'List API tokens (names and use, never the tokens)', response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: tokenView } } }, ...errors } } }, async () => ({
    tokens: await tokens.list(),
  }));
  app.post<{ Body: { name: string; role?: Role } }>(
    '/tokens',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['tokens'],
        operationId: 'createToken', summary: 'Create an API token; the answer is the only time it is shown',
        description: 'A new token is a `viewer` unless `role` says otherwise (least privilege).',
        body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, role: { type: 'string', enum: [...ROLES], default: 'viewer' } } },
        response: { 201: { ...tokenView, properties: { ...tokenView.properties, token: { type: 'string' } } }, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await tokens.create(req.body.name, req.body.role ?? 'viewer')),
  );
  app.delete<{ Params: { id: number } }>(
    '/tokens/:id',
    { config: { role: 'admin' }, schema: { tags: ['tokens'], operationId: 'revokeToken', summary: 'Revoke an API token (it stops working at once)', params: idParam, response: { 204: { type: 'null', description: 'revoked' }, ...errors } } },
    async (req, reply) => {
      if (!(await tokens.revoke(req.params.id))) throw notFound(`API token ${req.params.id} does not exist`);
      return reply.code(204).send();
    },
  );

  // ---- queue and flows
  app.get(
    '/queue',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['queue'],
        operationId: 'getQueue', summary: 'Jobs by flow and state, with totals',
        response: {
          200: {
            type: 'object',
            properties: {
              counts: { type: 'array', items: { type: 'object', properties: { flow: { type: 'string' }, state: { type: 'string', enum: ['queued', 'running', 'dead', 'paused'] }, count: { type: 'integer' } } } },
              totals: { type: 'object', properties: { queued: { type: 'integer' }, running: { type: 'integer' }, dead: { type: 'integer' }, paused: { type: 'integer', description: 'jobs of disabled flows, run when the flow is enabled' } } },
            },
          },
          ...errors,
        },
      },
    },
    async () => {
      const counts = await engine.queue.counts();
      engine.metrics.setQueueDepth(counts);
      const totals = { queued: 0, running: 0, dead: 0, paused: 0 } as Record<string, number>;
      for (const c of counts) totals[c.state] = (totals[c.state] ?? 0) + c.count;
      return { counts: counts.map((c) => ({ flow: c.queue, state: c.state, count: c.count })), totals };
    },
  );

  app.get(
    '/flows',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['flows'],
        operationId: 'listFlows', summary: 'The flows this engine runs',
        response: {
          200: {
            type: 'object',
            properties: {
              flows: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    description: { type: 'string' },
                    source: { type: 'object', properties: { system: { type: 'string' }, entity: { type: 'string' } } },
                    target: { type: 'object', properties: { system: { type: 'string' }, entity: { type: 'string' } } },
                    connection: { type: ['string', 'null'] },
                    maxAttempts: { type: ['integer', 'null'] },
                    steps: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async () => ({
      flows: engine.flows.map((f) => ({
        id: f.id,
        description: f.description,
        source: f.source,
        target: f.target,
        connection: f.connection ?? null,
        maxAttempts: f.maxAttempts ?? null,
        steps: f.steps.map((s) => s.name),
      })),
    }),
  );
}

function summary(job: JobView) {
  const p = job.payload as Partial<InboxEvent> | null;
  return {
    id: job.id,
    flow: job.queue,
    recordKey: p && typeof p === 'object' && p.system && p.entity && p.id ? `${p.system}:${p.entity}:${p.id}` : null,
    eventId: job.eventId,
    attempts: job.attempts,
    error: job.lastError,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}

/**
 * An edit fixes a record's data; it must not re-point the job at another record or version, which
 * would corrupt per-record ordering, stale-version skipping and the cross-reference.
 */
function checkSameRecord(before: unknown, after: unknown): void {
  const keys = ['system', 'entity', 'id', 'version'] as const;
  const b = before as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || !keys.every((k) => typeof b[k] === 'string')) return;
  const a = after as Record<string, unknown> | null;
  const changed = !a || typeof a !== 'object' || Array.isArray(a) ? [...keys] : keys.filter((k) => a[k] !== b[k]);
  if (changed.length) {
    throw withStatus(
      userError('API_INVALID_REQUEST', `the edited payload must keep the record's ${changed.join(', ')} (${keys.map((k) => `${k}=${String(b[k])}`).join(', ')}); edit the data under "payload"`, { details: { changed } }),
      400,
    );
  }
}
