// GDPR: erasing one customer's personal data, and how long events are kept (decision 0006).
//
// Erase finds every stored record that mentions the customer's e-mail address — inbox events, dead
// letters, run steps and errors — and replaces its personal data (fields that hold it by name, and
// e-mail addresses and phone numbers in any text) with "[erased]". Records keep their identity
// (system, entity, id, version), so deduplication, stale-version checks and the cross-reference still
// work; the business data (SKUs, amounts) stays for the books. Jobs still queued or running are not
// touched — erasing them would deliver "[erased]" to the ERP — but counted, so the operator runs the
// erase again once they are delivered.
import { sql, type Kysely } from 'kysely';
import type { Store } from './db/database.js';
import type { Database } from './db/schema.js';
import { userError } from './errors.js';
import { payloadCodec } from './payload-codec.js';
import { detachJobsFromEvent, isEventRef } from './queue/sql-queue.js';
import { isPiiKey, redactText } from './redact.js';

export const ERASED = '[erased]';

export interface EraseReport {
  /** Inbox events whose personal data was erased. */
  events: number;
  /** Dead letters (and their error history) erased. */
  deadLetters: number;
  /** Runs whose steps or error mentioned the customer, erased. */
  runs: number;
  /** Jobs still queued or running that mention the customer: left to finish; erase again afterwards. */
  pendingJobs: number;
}

const BATCH = 500;

/** True when any string in the value contains the needle (lower-cased). */
function mentions(value: unknown, needle: string): boolean {
  if (typeof value === 'string') return value.toLowerCase().includes(needle);
  if (Array.isArray(value)) return value.some((v) => mentions(v, needle));
  if (value && typeof value === 'object') return Object.values(value).some((v) => mentions(v, needle));
  return false;
}

/** Personal data out: PII fields by name become "[erased]", e-mails and phones in text are masked, the needle anywhere too. */
export function eraseValue<T>(value: T, needle?: string): T {
  const scrub = (s: string) => {
    let out = redactText(s);
    if (needle) {
      const i = out.toLowerCase().indexOf(needle);
      if (i >= 0) out = out.split(new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi')).join(ERASED);
    }
    return out;
  };
  const walk = (v: unknown, pii: boolean, parent: string): unknown => {
    if (v === null || v === undefined) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, pii, parent));
    if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, pii || isPiiKey(k, parent), k)]));
    if (pii && (typeof v === 'string' || typeof v === 'number')) return ERASED;
    return typeof v === 'string' ? scrub(v) : v;
  };
  return walk(value, false, '') as T;
}

export async function eraseCustomer(store: Store, email: string): Promise<EraseReport> {
  const needle = typeof email === 'string' ? email.trim().toLowerCase() : '';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(needle) || needle.length > 320) throw userError('PRIVACY_EMAIL_INVALID', 'give the customer\'s e-mail address, e.g. --email jane.doe@example.com');
  const db = store.db;
  const codec = payloadCodec(store);
  const report: EraseReport = { events: 0, deadLetters: 0, runs: 0, pendingJobs: 0 };
  const erasedEvents: number[] = [];

  // Payloads are sealed, so they are searched after decryption, a batch at a time.
  for (let after = 0; ; ) {
    const rows = await db.selectFrom('events').select(['id', 'payload']).where('id', '>', after).orderBy('id').limit(BATCH).execute();
    if (rows.length === 0) break;
    after = Number(rows[rows.length - 1]!.id);
    for (const r of rows) {
      const payload = codec.decode(r.payload);
      if (!mentions(payload, needle)) continue;
      // Jobs still to run keep the record as received (they are counted below, not erased).
      await detachJobsFromEvent(db, codec, Number(r.id), payload);
      await db.updateTable('events').set({ payload: codec.encode(eraseValue(payload, needle)) }).where('id', '=', r.id).execute();
      erasedEvents.push(Number(r.id));
      report.events++;
    }
  }

  for (let after = 0; ; ) {
    const rows = await db.selectFrom('jobs').select(['id', 'state', 'payload', 'last_error', 'history', 'event_id']).where('id', '>', after).orderBy('id').limit(BATCH).execute();
    if (rows.length === 0) break;
    after = Number(rows[rows.length - 1]!.id);
    for (const r of rows) {
      const payload = codec.decode(r.payload);
      // A dead letter that refers to its event (issue 12) shows the erased event from now on.
      const erasedWithEvent = isEventRef(payload) && r.event_id !== null && erasedEvents.includes(Number(r.event_id));
      const hit = erasedWithEvent || mentions(payload, needle) || (r.last_error ?? '').toLowerCase().includes(needle) || r.history.toLowerCase().includes(needle);
      if (!hit) continue;
      if (r.state !== 'dead') {
        report.pendingJobs++;
        continue;
      }
      await db
        .updateTable('jobs')
        .set({
          payload: codec.encode(eraseValue(payload, needle)),
          last_error: r.last_error === null ? null : JSON.stringify(eraseValue(JSON.parse(r.last_error), needle)),
          history: JSON.stringify(eraseValue(JSON.parse(r.history), needle)),
        })
        .where('id', '=', r.id)
        .where('state', '=', 'dead')
        .execute();
      report.deadLetters++;
    }
  }

  // Runs are stored redacted by default, but not when redaction is off, and error messages are text.
  const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const hay = (col: 'input' | 'output' | 'error') => sql<boolean>`lower(${sql.ref(`run_steps.${col}`)}) like ${like} escape '\\'`;
  const runIds = new Set<number>();
  const fromSteps = await db.selectFrom('run_steps').select('run_id').where((eb) => eb.or([hay('input'), hay('output'), hay('error')])).execute();
  for (const r of fromSteps) runIds.add(Number(r.run_id));
  const fromErrors = await db.selectFrom('runs').select('id').where(sql<boolean>`lower(error) like ${like} escape '\\'`).execute();
  for (const r of fromErrors) runIds.add(Number(r.id));
  for (let i = 0; i < erasedEvents.length; i += BATCH) {
    const rows = await db.selectFrom('runs').select('id').where('event_id', 'in', erasedEvents.slice(i, i + BATCH)).execute();
    for (const r of rows) runIds.add(Number(r.id));
  }
  for (const id of runIds) await eraseRun(db, id, needle);
  report.runs = runIds.size;
  return report;
}

async function eraseRun(db: Kysely<Database>, runId: number, needle: string): Promise<void> {
  const json = (s: string | null) => (s === null ? null : JSON.stringify(eraseValue(JSON.parse(s), needle)));
  await db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('runs').select('error').where('id', '=', runId).executeTakeFirst();
    if (run?.error) await trx.updateTable('runs').set({ error: json(run.error) }).where('id', '=', runId).execute();
    const steps = await trx.selectFrom('run_steps').select(['id', 'input', 'output', 'error']).where('run_id', '=', runId).execute();
    for (const s of steps) await trx.updateTable('run_steps').set({ input: json(s.input), output: json(s.output), error: json(s.error) }).where('id', '=', s.id).execute();
  });
}

/**
 * Retention: events received before `cutoff` that no job still needs are deleted (the engine calls
 * it with the run retention). A redelivery of such an old event is then processed again and meets
 * the stale-version check, which skips it.
 */
export async function deleteEventsOlderThan(db: Kysely<Database>, cutoff: number): Promise<number> {
  const res = await db
    .deleteFrom('events')
    .where('received_at', '<', cutoff)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('jobs').select('jobs.id').whereRef('jobs.event_id', '=', 'events.id'))))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
