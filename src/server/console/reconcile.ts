// Reconciliation of each pair from the admin API: run it now (operator) and read the last result of
// every pair (viewer), which the dashboard shows. Results are kept by this server process since it
// started (`syncline reconcile` prints its own); a run in progress is joined, never started twice.
import type { FastifyInstance } from 'fastify';
import { toSynclineError, userError } from '../../core/errors.js';
import { redact } from '../../core/redact.js';
import type { Reconciler } from '../../reconcile/pairs.js';
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

export class Reconciliations {
  private readonly last = new Map<string, ReconcileStatus>();
  private readonly running = new Map<string, Promise<ReconcileStatus>>();
  constructor(readonly reconcilers: Record<string, Reconciler>) {}

  list(): ReconcileStatus[] {
    return Object.keys(this.reconcilers).sort().map((pair) => this.last.get(pair) ?? { pair, status: this.running.has(pair) ? 'running' : 'never run', at: null, durationMs: null, by: null, summary: null, differenceCount: 0, differences: [], error: null });
  }

  run(pair: string, by: string): Promise<ReconcileStatus> {
    const r = this.reconcilers[pair];
    if (!r) throw withStatus(userError('API_NOT_FOUND', `no reconciliation "${pair}" on this deployment (it has ${Object.keys(this.reconcilers).join(', ') || 'none'}: a pair needs one connection of each system)`), 404);
    const going = this.running.get(pair);
    if (going) return going;
    const started = Date.now();
    const p = (async (): Promise<ReconcileStatus> => {
      const base = { pair, at: started, by };
      try {
        const out = await r();
        return { ...base, status: out.differences.length ? 'differences' : 'ok', durationMs: Date.now() - started, summary: out.summary, differenceCount: out.differences.length, differences: redact(out.differences.slice(0, 50)), error: null };
      } catch (e) {
        const err = toSynclineError(e);
        return { ...base, status: 'failed', durationMs: Date.now() - started, summary: null, differenceCount: 0, differences: [], error: `${err.code}: ${err.message}` };
      }
    })().then((s) => {
      this.last.set(pair, s);
      this.running.delete(pair);
      return s;
    });
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
  app.get('/reconciliations', { config: { role: 'viewer' }, schema: { tags: ['reconciliation'], operationId: 'listReconciliations', summary: 'The last reconciliation of each pair this deployment can compare (since the server started)', response: { 200: { type: 'object', properties: { reconciliations: { type: 'array', items: statusView } } }, ...errors } } }, async () => ({ reconciliations: reconciliations.list() }));
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
