// Reconciliation of each pair from the admin API: run it now (operator) and read the last result of
// every pair (viewer), which the dashboard shows. Each result is stored (table `reconciliations`,
// migration 0013), so the last one of a pair survives a restart and every server of one PostgreSQL
// store shows it (`syncline reconcile` stores its own there too); a run in progress in this process is joined,
// never started twice.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/schema.js';
import { alertReconciliation } from '../../alerts/alerts.js';
import { toSynclineError, userError } from '../../core/errors.js';
import { redact } from '../../core/redact.js';
import type { Reconciler, ReconcileOutcome } from '../../reconcile/pairs.js';
import { problemSchema, withStatus } from '../problem.js';

export interface ReconcileStatus {
  pair: string;
  status: 'never run' | 'running' | 'ok' | 'differences' | 'failed';
  at: number | null;
  durationMs: number | null;
  by: string | null;
  summary: string | null;
  differenceCount: number;
  /** The first 50 differences (personal data masked). */
  differences: Array<{ kind: string; key: string; amount: string; detail?: string }>;
  error: string | null;
}

/** A comparison that ran to its end: `ok` or `differences`, the first 50 kept with personal data masked. */
export function finishedReconciliation(pair: string, started: number, by: string, out: ReconcileOutcome): ReconcileStatus {
  return { pair, at: started, by, status: out.differences.length ? 'differences' : 'ok', durationMs: Date.now() - started, summary: out.summary, differenceCount: out.differences.length, differences: redact(out.differences.slice(0, 50)), error: null };
}

/** A comparison that threw (a system unreachable, credentials refused): `failed`, with the reason. */
export function failedReconciliation(pair: string, started: number, by: string, e: unknown): ReconcileStatus {
  const err = toSynclineError(e);
  return { pair, at: started, by, status: 'failed', durationMs: Date.now() - started, summary: null, differenceCount: 0, differences: [], error: `${err.code}: ${err.message}` };
}

/**
 * Keeps a result where the dashboard reads the newest of each pair (from the admin API or from
 * `syncline reconcile`), and tells the `reconciliation-difference` alert rules (a failure is no finding).
 */
export async function storeReconciliation(db: Kysely<Database>, s: ReconcileStatus): Promise<void> {
  await db
    .insertInto('reconciliations')
    .values({ pair: s.pair, status: s.status, at: s.at ?? Date.now(), duration_ms: s.durationMs ?? 0, by: s.by ?? 'api', summary: s.summary, difference_count: s.differenceCount, differences: JSON.stringify(s.differences), error: s.error })
    .execute();
  if (s.status !== 'failed') await alertReconciliation({ db }, s.pair, s.differenceCount, s.summary ?? '').catch(() => undefined);
}

export class Reconciliations {
  /** The last result of each pair when there is no store (tests); with one, the store is read. */
  private readonly last = new Map<string, ReconcileStatus>();
  private readonly running = new Map<string, Promise<ReconcileStatus>>();
  constructor(readonly reconcilers: Record<string, Reconciler>, private readonly db?: Kysely<Database>) {}

  async list(): Promise<ReconcileStatus[]> {
    const pairs = Object.keys(this.reconcilers).sort();
    const stored = new Map<string, ReconcileStatus>();
    if (this.db && pairs.length) {
      const newest = this.db.selectFrom('reconciliations').select((eb) => eb.fn.max('id').as('id')).where('pair', 'in', pairs).groupBy('pair');
      const rows = await this.db.selectFrom('reconciliations').selectAll().where('id', 'in', newest).execute();
      for (const r of rows) {
        stored.set(r.pair, {
          pair: r.pair, status: r.status as ReconcileStatus['status'], at: Number(r.at), durationMs: Number(r.duration_ms), by: r.by, summary: r.summary,
          differenceCount: Number(r.difference_count), differences: JSON.parse(r.differences) as ReconcileStatus['differences'], error: r.error,
        });
      }
    }
    return pairs.map((pair) => {
      if (this.running.has(pair)) return { ...(stored.get(pair) ?? this.last.get(pair) ?? this.never(pair)), status: 'running' as const };
      return stored.get(pair) ?? this.last.get(pair) ?? this.never(pair);
    });
  }

  private never(pair: string): ReconcileStatus {
    return { pair, status: 'never run', at: null, durationMs: null, by: null, summary: null, differenceCount: 0, differences: [], error: null };
  }

  run(pair: string, by: string): Promise<ReconcileStatus> {
    const r = this.reconcilers[pair];
    if (!r) throw withStatus(userError('API_NOT_FOUND', `no reconciliation "${pair}" on this deployment (it has ${Object.keys(this.reconcilers).join(', ') || 'none'}: a pair needs one connection of each system)`), 404);
    const going = this.running.get(pair);
    if (going) return going;
    const started = Date.now();
    const p = (async (): Promise<ReconcileStatus> => {
      let s: ReconcileStatus;
      try {
        s = finishedReconciliation(pair, started, by, await r());
      } catch (e) {
        s = failedReconciliation(pair, started, by, e);
      }
      this.last.set(pair, s);
      if (this.db) await storeReconciliation(this.db, s);
      return s;
    })().finally(() => this.running.delete(pair));
    this.running.set(pair, p);
    return p;
  }
}

const statusView = {
  type: 'object',
  properties: {
    pair: { type: 'string' }, status: { type: 'string', enum: ['never run', 'running', 'ok', 'differences', 'failed'] }, at: { type: ['integer', 'null'] }, durationMs: { type: ['integer', 'null'] }, by: { type: ['string', 'null'] },
    summary: { type: ['string', 'null'] }, differenceCount: { type: 'integer' }, error: { type: ['string', 'null'] },
    differences: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' }, key: { type: 'string' }, amount: { type: 'string' }, detail: { type: 'string' } } } },
  },
} as const;
const errors = { 401: problemSchema, 403: problemSchema, 404: problemSchema } as const;

export async function reconcileRoutes(app: FastifyInstance, opts: { reconciliations: Reconciliations }): Promise<void> {
  const { reconciliations } = opts;
  app.get('/reconciliations', { config: { role: 'viewer' }, schema: { tags: ['reconciliation'], operationId: 'listReconciliations', summary: 'The last reconciliation of each pair this deployment can compare (stored: it survives a restart); `running` while one is under way', response: { 200: { type: 'object', properties: { reconciliations: { type: 'array', items: statusView } } }, ...errors } } }, async () => ({ reconciliations: await reconciliations.list() }));
  app.post<{ Params: { pair: string } }>(
    '/reconciliations/:pair',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['reconciliation'], operationId: 'runReconciliation', summary: 'Compare the two systems of a pair over their APIs now and keep the result (a run in progress is joined): every difference with its amount',
        params: { type: 'object', properties: { pair: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' } }, required: ['pair'] },
        response: { 200: statusView, ...errors },
      },
    },
    async (req) => reconciliations.run(req.params.pair, req.principal ? `${req.principal.kind === 'session' ? 'user' : 'token'}:${req.principal.name}` : 'api'),
  );
}
