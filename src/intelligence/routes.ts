// Admin API of src/intelligence, under /api: orders held for review (list: viewer; release, cancel:
// operator) and mapping suggestions for an entity pair (read: viewer, accept / reject: admin — they
// change what every later suggestion ranks). Registered once in src/server/index.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Engine } from '../core/engine.js';
import { SynclineError } from '../core/errors.js';
import { problemSchema, withStatus } from '../server/problem.js';
import { cancelHeld, listHeld, releaseHeld } from './holds.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema } as const;
const held = {
  type: 'object',
  properties: {
    id: { type: 'integer', description: 'the dead letter' },
    flow: { type: 'string' },
    recordKey: { type: 'string', description: 'system:entity:id of the order' },
    version: { type: 'string' },
    score: { type: ['integer', 'null'] },
    threshold: { type: ['integer', 'null'] },
    reasons: { type: 'array', items: { type: 'string' } },
    heldAt: { type: 'integer' },
    message: { type: 'string' },
  },
} as const;
const idParam = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const;
const entity = { type: 'string', pattern: '^[A-Za-z0-9_-]+[./][A-Za-z0-9_-]+$', maxLength: 100 } as const;
const pairBody = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'target', 'from', 'to'],
  properties: { source: entity, target: entity, from: { type: 'string', minLength: 1, maxLength: 300 }, to: { type: 'string', minLength: 1, maxLength: 300 } },
} as const;
const candidate = { type: 'object', properties: { target: { type: 'string' }, confidence: { type: 'number' }, why: { type: 'string' } } } as const;

/** Where a server built without `acceptedStore` (in tests) keeps suggestions; a deployment's is in its data folder (main.ts). */
export const ACCEPTED_STORE = 'data/accepted-mappings.json';

const notFound = (e: unknown): never => {
  if (e instanceof SynclineError && (e.code === 'HOLD_NOT_FOUND' || e.code === 'SUGGEST_UNKNOWN_ENTITY' || e.code === 'SUGGEST_UNKNOWN_FIELD')) throw withStatus(e, 404);
  throw e;
};

export async function intelligenceRoutes(app: FastifyInstance, opts: { engine: Engine<any>; acceptedStore?: string }): Promise<void> {
  const { engine } = opts;
  const store = opts.acceptedStore ?? ACCEPTED_STORE;
  const by = (req: FastifyRequest) => (req.principal ? `${req.principal.kind === 'session' ? 'user' : 'token'}:${req.principal.name}` : 'api');

  app.get<{ Querystring: { flow?: string } }>(
    '/holds',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['holds'], operationId: 'listHeldOrders', summary: 'Orders held for review by a flow\'s risk check, newest first, with the score and every reason',
        querystring: { type: 'object', additionalProperties: false, properties: { flow: { type: 'string', maxLength: 100 } } },
        response: { 200: { type: 'object', properties: { held: { type: 'array', items: held } } }, ...errors },
      },
    },
    async (req) => ({ held: await listHeld(engine.queue, req.query.flow) }),
  );

  app.post<{ Params: { id: number } }>(
    '/holds/:id/release',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['holds'], operationId: 'releaseHeldOrder', summary: 'Release a held order: its dead letter is replayed and passes the risk check (once)',
        params: idParam,
        response: { 200: { type: 'object', properties: { released: held, replayed: { type: 'integer' } } }, ...errors },
      },
    },
    async (req) => releaseHeld(engine.queue, engine.store.db, req.params.id, by(req)).catch(notFound),
  );

  app.post<{ Params: { id: number }; Body: { reason: string } }>(
    '/holds/:id/cancel',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['holds'], operationId: 'cancelHeldOrder', summary: 'Cancel a held order: discarded, never sent to the ERP; the reason is kept with the decision',
        params: idParam,
        body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } } },
        response: { 200: { type: 'object', properties: { cancelled: held, discarded: { type: 'integer' } } }, ...errors },
      },
    },
    async (req) => cancelHeld(engine.queue, engine.store.db, req.params.id, by(req), req.body.reason).catch(notFound),
  );

  app.get<{ Querystring: { source: string; target: string } }>(
    '/suggestions',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['suggestions'], operationId: 'suggestFieldsForEntityPair',
        summary: 'For every source field of an entity pair (SYSTEM.ENTITY, e.g. amazon.Order → sagex3.SOH), up to 5 target fields best first with a confidence in [0, 1] and why (offline)',
        querystring: { type: 'object', additionalProperties: false, required: ['source', 'target'], properties: { source: entity, target: entity } },
        response: { 200: { type: 'object', properties: { source: { type: 'string' }, target: { type: 'string' }, suggestions: { type: 'array', items: { type: 'object', properties: { source: { type: 'string' }, candidates: { type: 'array', items: candidate } } } } } }, ...errors },
      },
    },
    async (req) => {
      const { knowledgeFor, suggest } = await import('./index.js');
      const { source, target } = req.query;
      try {
        return { source, target, suggestions: suggest(source, target, { knowledge: knowledgeFor(store) }) };
      } catch (e) {
        return notFound(e);
      }
    },
  );

  for (const decision of ['accept', 'reject'] as const) {
    app.post<{ Body: { source: string; target: string; from: string; to: string } }>(
      `/suggestions/${decision}`,
      {
        config: { role: 'admin' },
        schema: {
          tags: ['suggestions'], operationId: decision === 'accept' ? 'acceptSuggestion' : 'rejectSuggestion',
          summary: decision === 'accept'
            ? 'Accept a suggested pair (source field `from` → target field `to`): ranked first from now on and learnt from for other entity pairs'
            : 'Reject a suggested pair: never suggested again for this entity pair',
          body: pairBody,
          response: { 200: { type: 'object', properties: { [decision === 'accept' ? 'accepted' : 'rejected']: { type: 'object', properties: { source: { type: 'string' }, target: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } } } }, ...errors },
        },
      },
      async (req) => {
        const { acceptPair, rejectPair } = await import('./index.js');
        const { source, target, from, to } = req.body;
        try {
          (decision === 'accept' ? acceptPair : rejectPair)(store, { source, sourcePath: from, target, targetPath: to });
        } catch (e) {
          return notFound(e);
        }
        return { [decision === 'accept' ? 'accepted' : 'rejected']: { source, target, from, to } };
      },
    );
  }
}
