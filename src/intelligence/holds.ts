// Orders held for review: what a flow's `hold` step scores (order risk and anomalies, offline), the
// store of held orders and a person's decision, and the two decisions — release (the dead letter is
// replayed and passes the hold) or cancel (discarded, with the reason kept). One module for the step,
// the CLI (`syncline holds`) and the admin API (/api/holds).
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema.js';
import { chunks } from '../core/batch-loader.js';
import { userError } from '../core/errors.js';
import type { InboxEvent } from '../core/flow.js';
import type { JobView, QueuePort } from '../core/queue/port.js';
import { Baselines, orderObservations, type Anomaly, type Observation } from './anomaly.js';
import { RiskHistory, riskKeys, scoreOrder, type RiskOrder } from './risk.js';

export const HELD_CODE = 'ORDER_HELD_FOR_REVIEW';

/** A risk order as a flow expression builds it: loose types (numbers, epoch seconds, nulls) made strict. */
export function toRiskOrder(raw: unknown): RiskOrder & { shop: string } {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const text = (v: unknown): string | undefined => (v === null || v === undefined || v === '' ? undefined : String(v));
  const at = o.at;
  // X-Cart dates are epoch seconds, Amazon's ISO texts.
  const when = typeof at === 'number' ? new Date(at < 1e12 ? at * 1000 : at) : typeof at === 'string' && at ? new Date(/^\d+$/.test(at) ? Number(at) * (at.length <= 10 ? 1000 : 1) : at) : new Date();
  const lines = (Array.isArray(o.lines) ? o.lines : o.lines && typeof o.lines === 'object' ? [o.lines] : []) as Array<Record<string, unknown>>;
  return {
    id: text(o.id) ?? '?',
    at: Number.isNaN(when.getTime()) ? new Date() : when,
    buyer: text(o.buyer),
    email: text(o.email),
    billingCountry: text(o.billingCountry),
    shippingCountry: text(o.shippingCountry),
    shippingAddress: text(o.shippingAddress),
    total: text(o.total) ?? '0',
    lines: lines.map((l) => ({ sku: text(l.sku) ?? '?', price: text(l.price) ?? '0', ...(text(l.listPrice) ? { listPrice: text(l.listPrice)! } : {}), quantity: Number(l.quantity ?? 1) || 1 })),
    shop: text(o.shop) ?? 'shop',
  };
}

export interface OrderScore {
  score: number;
  reasons: string[];
  anomalies: Anomaly[];
  /** Set when this call recorded the order (its first scoring): what the store keeps of it. */
  recorded?: RecordedOrder;
}

/** What a scorer keeps of one order: enough to rebuild its history after a restart (src/intelligence/risk-store.ts). */
export interface RecordedOrder {
  id: string;
  at: number;
  keys: string[];
  total: string;
  observations: Array<[Observation['metric'], string, number]>;
}

/** Buyer, e-mail and address keys as the scorer holds and stores them: hashed (equality is all it needs). */
export const hashedRiskKeys = (o: RiskOrder): string[] => riskKeys(o).map((k) => `${k.slice(0, 2)}${createHash('sha256').update(k).digest('base64url').slice(0, 22)}`);

/** Observations the baselines are fitted on (and orders kept at least, in memory and in the store). */
export const SCORER_WINDOW = 2000;

/**
 * The state one flow scores against: velocity and typical values (RiskHistory) and robust baselines
 * of order totals, line counts and prices, refitted every `refitEvery` orders from the last `window`.
 * In memory; the hold step stores what each order adds and rebuilds a scorer from the store after a
 * restart (`restore`).
 */
export class OrderScorer {
  readonly history = new RiskHistory();
  private baselines = new Baselines();
  private observations: Observation[] = [];
  private recorded = new Set<string>();
  private sinceFit = 0;
  // Refitting sorts every series: every 256 orders over the last 2,000–4,000 observations keeps it to a
  // few µs per order, amortised.
  constructor(private readonly refitEvery = 256, readonly window = SCORER_WINDOW) {}

  /** Scores the order; records it once (a replay or a retry of the same order does not count twice). */
  score(order: RiskOrder & { shop: string }): OrderScore {
    const keys = hashedRiskKeys(order);
    const { score, reasons } = scoreOrder(order, this.history, keys);
    const obs = orderObservations(order);
    const anomalies: Anomaly[] = [];
    for (const o of obs) {
      const a = this.baselines.check(o);
      if (a) anomalies.push(a);
    }
    if (this.recorded.has(order.id)) return { score, reasons, anomalies };
    this.record(order.id, order, keys, obs);
    return { score, reasons, anomalies, recorded: { id: order.id, at: order.at.getTime(), keys, total: order.total, observations: obs.map((o) => [o.metric, o.key, o.value]) } };
  }

  /** Rebuilds the state from stored keys (first order each) and recent orders, oldest first. */
  restore(keys: Array<{ key: string; first: number }>, orders: RecordedOrder[]): void {
    for (const k of keys) this.history.remember(k.key, k.first);
    for (const r of orders) {
      const at = new Date(r.at);
      this.record(r.id, { at, total: r.total }, r.keys, r.observations.map(([metric, key, value]) => ({ metric, key, value, at })));
    }
  }

  private record(id: string, order: Pick<RiskOrder, 'at' | 'total'>, keys: string[], obs: Observation[]): void {
    this.recorded.add(id);
    if (this.recorded.size > this.window * 4) this.recorded = new Set([...this.recorded].slice(-this.window));
    this.history.record(order, keys);
    this.observations.push(...obs);
    if (this.observations.length > this.window * 2) this.observations = this.observations.slice(-this.window);
    // The first fit as soon as a baseline can mean something, then every refitEvery orders.
    if (++this.sinceFit >= this.refitEvery || (this.recorded.size === 32 && this.sinceFit > 0)) (this.sinceFit = 0), (this.baselines = Baselines.fit(this.observations));
  }
}

export type HoldStatus = 'held' | 'released' | 'cancelled';
export interface HoldRecord {
  flow: string;
  recordKey: string;
  version: string;
  status: HoldStatus;
  score: number;
  threshold: number;
  reasons: string[];
  jobId: number | null;
  heldAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  decisionReason: string | null;
}

type Row = Database['order_holds'];
const toRecord = (r: Row): HoldRecord => ({
  flow: r.flow,
  recordKey: r.record_key,
  version: r.version,
  status: r.status as HoldStatus,
  score: Number(r.score),
  threshold: Number(r.threshold),
  reasons: JSON.parse(r.reasons) as string[],
  jobId: r.job_id === null ? null : Number(r.job_id),
  heldAt: Number(r.held_at),
  decidedAt: r.decided_at === null ? null : Number(r.decided_at),
  decidedBy: r.decided_by,
  decisionReason: r.decision_reason,
});

export class HoldStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(flow: string, recordKey: string): Promise<HoldRecord | undefined> {
    return (await this.getMany(flow, [recordKey])).get(recordKey);
  }

  /** The decisions of many records of one flow, in one statement per 500. */
  async getMany(flow: string, recordKeys: string[]): Promise<Map<string, HoldRecord>> {
    const found = new Map<string, HoldRecord>();
    for (const part of chunks(recordKeys, 500)) {
      for (const r of await this.db.selectFrom('order_holds').selectAll().where('flow', '=', flow).where('record_key', 'in', part).execute()) found.set(r.record_key, toRecord(r as Row));
    }
    return found;
  }

  /** Marks the record held (again): a newer version of a held order is held too, until a person decides. */
  async hold(h: Pick<HoldRecord, 'flow' | 'recordKey' | 'version' | 'score' | 'threshold' | 'reasons' | 'jobId'>): Promise<void> {
    const row = { flow: h.flow, record_key: h.recordKey, version: h.version, status: 'held', score: h.score, threshold: h.threshold, reasons: JSON.stringify(h.reasons), job_id: h.jobId, held_at: Date.now(), decided_at: null, decided_by: null, decision_reason: null };
    await this.db
      .insertInto('order_holds')
      .values(row)
      .onConflict((oc) => oc.columns(['flow', 'record_key']).doUpdateSet({ version: row.version, status: 'held', score: row.score, threshold: row.threshold, reasons: row.reasons, job_id: row.job_id, held_at: row.held_at }))
      .execute();
  }

  async decide(flow: string, recordKey: string, status: 'released' | 'cancelled', by: string, reason: string | null): Promise<void> {
    await this.db.updateTable('order_holds').set({ status, decided_at: Date.now(), decided_by: by, decision_reason: reason }).where('flow', '=', flow).where('record_key', '=', recordKey).execute();
  }

  async list(status?: HoldStatus, limit = 100): Promise<HoldRecord[]> {
    let q = this.db.selectFrom('order_holds').selectAll();
    if (status) q = q.where('status', '=', status);
    return (await q.orderBy('held_at', 'desc').limit(limit).execute()).map((r) => toRecord(r as Row));
  }
}

export const recordKeyOf = (e: Pick<InboxEvent, 'system' | 'entity' | 'id'>): string => `${e.system}:${e.entity}:${e.id}`;

/** A held order as the CLI and the API show it: the dead letter, its score and reasons. */
export interface HeldOrder {
  id: number;
  flow: string;
  recordKey: string;
  version: string;
  score: number | null;
  threshold: number | null;
  reasons: string[];
  heldAt: number;
  message: string;
}

const isHeld = (j: JobView | undefined): boolean => !!j && j.state === 'dead' && j.lastError?.code === HELD_CODE;

function view(j: JobView): HeldOrder {
  const e = j.payload as InboxEvent;
  const d = (j.lastError?.details ?? {}) as { score?: number; threshold?: number; reasons?: string[] };
  return { id: j.id, flow: j.queue, recordKey: recordKeyOf(e), version: String(e.version), score: d.score ?? null, threshold: d.threshold ?? null, reasons: d.reasons ?? [], heldAt: j.updatedAt, message: j.lastError?.message ?? '' };
}

/** Dead letters that are orders held for review (of one flow), newest first. */
export async function listHeld(queue: QueuePort, flow?: string): Promise<HeldOrder[]> {
  const out: HeldOrder[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await queue.list({ state: 'dead', ...(flow ? { queue: flow } : {}), limit: 1000, offset });
    out.push(...page.filter(isHeld).map(view));
    if (page.length < 1000) break;
  }
  return out.sort((a, b) => b.heldAt - a.heldAt);
}

async function heldLetter(queue: QueuePort, id: number): Promise<JobView> {
  const j = await queue.get(id);
  if (j && isHeld(j)) return j;
  const why = !j ? ' (replayed or discarded meanwhile?)' : j.state === 'dead' ? ` (it failed with ${j.lastError?.code})` : ` (it is ${j.state})`;
  throw userError('HOLD_NOT_FOUND', `dead letter ${id} is not an order held for review${why}; \`syncline holds list\` shows the held ones`, { details: { id } });
}

/**
 * Release: the decision is stored first, then every held letter of that order (an order held twice,
 * say a newer version, has two) is replayed; the hold step lets a released order pass.
 */
export async function releaseHeld(queue: QueuePort, db: Kysely<Database>, id: number, by: string): Promise<{ released: HeldOrder; replayed: number }> {
  const j = await heldLetter(queue, id);
  const h = view(j);
  await new HoldStore(db).decide(h.flow, h.recordKey, 'released', by, null);
  const same = (await listHeld(queue, h.flow)).filter((x) => x.recordKey === h.recordKey).map((x) => x.id);
  const replayed = await queue.replay([...new Set([id, ...same])]);
  return { released: h, replayed };
}

/** Cancel: the decision and its reason are stored, the held letters discarded (nothing reaches the ERP). */
export async function cancelHeld(queue: QueuePort, db: Kysely<Database>, id: number, by: string, reason: string): Promise<{ cancelled: HeldOrder; discarded: number }> {
  if (!reason?.trim()) throw userError('HOLD_REASON_REQUIRED', 'cancelling a held order needs a reason (--reason TEXT)');
  const j = await heldLetter(queue, id);
  const h = view(j);
  await new HoldStore(db).decide(h.flow, h.recordKey, 'cancelled', by, reason.trim());
  const same = (await listHeld(queue, h.flow)).filter((x) => x.recordKey === h.recordKey).map((x) => x.id);
  const discarded = await queue.discard([...new Set([id, ...same])]);
  return { cancelled: h, discarded };
}
