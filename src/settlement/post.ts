// Posting a settlement's entries to the ledger exactly once, whole or not at all (decision 0010).
//   - The settlements row (migration 0006) is written before anything is posted: the planned entries
//     with their REFs. A crash resumes the same plan; a re-import with the same journal posts nothing.
//   - Each entry is looked up by REF before it is saved, and again after a save whose outcome is
//     unknown (timeout, dropped answer), after `settleMs` — X3 has no idempotency key.
//   - A journal that differs from the posted one (the mapping changed) reverses the posted entries
//     and posts the new ones under the next revision's REFs; nothing is edited in place.
//   - A permanent failure of a later entry reverses the entries this revision already posted.
import type { Kysely } from 'kysely';
import { SynclineError, bugError, outcomeUnknown } from '../core/errors.js';
import type { Database } from '../core/db/schema.js';
import { entryRef, reversalOf, type Journal, type JournalEntry, type Unmapped } from './journal.js';

/** Where entries go: X3 through its connector (src/settlement/x3.ts), or anything with the same two calls. */
export interface Ledger {
  /** The entry carrying exactly this REF, if any. */
  find(ref: string): Promise<{ TYP: string; NUM: string } | undefined>;
  save(entry: JournalEntry): Promise<{ TYP: string; NUM: string }>;
}

export interface PlannedEntry {
  ref: string;
  kind: 'post' | 'reversal';
  entry: JournalEntry;
  TYP?: string;
  NUM?: string;
}

export interface PostResult {
  status: 'held' | 'posted' | 'already-posted' | 'reposted';
  revision: number;
  /** Entries this call created in the ledger. */
  created: PlannedEntry[];
  /** Entries found there already (posted by an earlier, interrupted attempt). */
  found: PlannedEntry[];
  /** The entries now standing for this settlement. */
  entries: PlannedEntry[];
}

export interface PostOptions {
  /** Wait after an unknown outcome before looking the entry up (X3 may still be saving it). */
  settleMs?: number;
  /** Save attempts per entry on transient errors. */
  attempts?: number;
  now?: () => number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function postOnce(ledger: Ledger, p: PlannedEntry, o: Required<Pick<PostOptions, 'settleMs' | 'attempts'>>): Promise<{ TYP: string; NUM: string; created: boolean }> {
  let last: unknown;
  for (let attempt = 1; attempt <= o.attempts; attempt++) {
    const found = await ledger.find(p.ref);
    // Found after one of our own saves failed: that save went through, this call created it.
    if (found) return { ...found, created: attempt > 1 };
    try {
      return { ...(await ledger.save({ ...p.entry, REF: p.ref })), created: true };
    } catch (e) {
      if (!(e instanceof SynclineError) || e.kind === 'user') throw e;
      last = e;
      // Unknown outcome (the deliver step's rule: timeout, dropped answer, 502/504): X3 may have saved
      // it; give it time, then the look-up above decides.
      await sleep(outcomeUnknown(e) ? o.settleMs : Math.min(5_000, 100 * 2 ** attempt));
    }
  }
  throw last;
}

type Row = Database['settlements'];

export async function postSettlement(
  db: Kysely<Database>,
  ledger: Ledger,
  s: { settlementId: string; currency: string; totalAmount: string },
  journal: Journal,
  unmapped: Unmapped[],
  opts: PostOptions = {},
): Promise<PostResult> {
  const now = opts.now ?? Date.now;
  const o = { settleMs: opts.settleMs ?? 2_000, attempts: opts.attempts ?? 5 };
  const key = { settlement_id: s.settlementId, currency: s.currency };
  const row = (await db.selectFrom('settlements').selectAll().where('settlement_id', '=', key.settlement_id).where('currency', '=', key.currency).executeTakeFirst()) as Row | undefined;
  const write = async (fields: Partial<Row>) => {
    if (row || (await db.selectFrom('settlements').select('status').where('settlement_id', '=', key.settlement_id).where('currency', '=', key.currency).executeTakeFirst())) {
      await db.updateTable('settlements').set({ ...fields, updated_at: now() }).where('settlement_id', '=', key.settlement_id).where('currency', '=', key.currency).execute();
    } else {
      await db.insertInto('settlements').values({ ...key, status: 'held', total_amount: s.totalAmount, revision: 0, journal_hash: null, entries: '[]', problems: '[]', created_at: now(), updated_at: now(), ...fields }).execute();
    }
  };
  const standing = row ? (JSON.parse(row.entries) as PlannedEntry[]) : [];

  if (unmapped.length) {
    // Held: nothing posted. A settlement already posted keeps its entries until it can be remapped.
    if (row?.status !== 'posted') await write({ status: 'held', total_amount: s.totalAmount, problems: JSON.stringify(unmapped) });
    return { status: 'held', revision: row?.revision ?? 0, created: [], found: [], entries: row?.status === 'posted' ? standing : [] };
  }
  if (row?.status === 'posted' && row.journal_hash === journal.hash) return { status: 'already-posted', revision: row.revision, created: [], found: [], entries: standing };
  if (row?.status === 'failed' && JSON.parse(row.problems).some((p: { code?: string }) => p.code === 'SETTLEMENT_PARTIAL')) {
    throw bugError('SETTLEMENT_PARTIAL', `settlement ${s.settlementId} is partly posted after a failed compensation; reverse by hand, then reset its row`, { details: { settlementId: s.settlementId, posted: standing } });
  }

  let plan: PlannedEntry[];
  let rev: number;
  const resume = row?.status === 'posting' && row.journal_hash === journal.hash;
  if (resume) {
    rev = row!.revision;
    plan = standing;
  } else {
    rev = (row?.revision ?? 0) + 1;
    // What stands in the ledger from the last revision is undone first: posted entries, or, after a
    // crash mid-revision, whichever of its planned entries made it.
    const undo = row?.status === 'posted' || row?.status === 'posting' ? standing.filter((p) => p.kind === 'post') : [];
    const parts = journal.entries.length;
    plan = [
      ...undo.map((p, i) => ({ ref: entryRef(s.settlementId, undo.length, i + 1, row!.revision, true), kind: 'reversal' as const, entry: reversalOf(p.entry, '') })),
      ...journal.entries.map((e, i) => ({ ref: entryRef(s.settlementId, parts, i + 1, rev), kind: 'post' as const, entry: e })),
    ];
    for (const p of plan) p.entry = { ...p.entry, REF: p.ref };
    if (row?.status === 'posting') {
      // Reversing an entry that never made it would post a reversal of nothing: keep the ones found.
      const kept: PlannedEntry[] = [];
      for (const p of plan) if (p.kind === 'post' || (await ledger.find(undoRefOf(p, standing)))) kept.push(p);
      plan = kept;
    }
  }
  await write({ status: 'posting', revision: rev, journal_hash: journal.hash, total_amount: s.totalAmount, entries: JSON.stringify(plan), problems: '[]' });

  const created: PlannedEntry[] = [];
  const found: PlannedEntry[] = [];
  for (const p of plan) {
    try {
      const r = await postOnce(ledger, p, o);
      p.TYP = r.TYP;
      p.NUM = r.NUM;
      (r.created ? created : found).push(p);
    } catch (e) {
      if (!(e instanceof SynclineError) || e.kind !== 'user') {
        // Transient after all attempts: the row stays `posting`; the next import resumes the plan.
        await write({ entries: JSON.stringify(plan) });
        throw e;
      }
      // Whole or nothing: undo what this revision posted, newest first.
      const done = plan.filter((q) => q.kind === 'post' && q.NUM);
      const undone: PlannedEntry[] = [];
      try {
        for (const [i, q] of [...done].reverse().entries()) {
          const ref = entryRef(s.settlementId, done.length, done.length - i, rev, true);
          const r = await postOnce(ledger, { ref, kind: 'reversal', entry: reversalOf(q.entry, ref) }, o);
          undone.push({ ref, kind: 'reversal', entry: reversalOf(q.entry, ref), TYP: r.TYP, NUM: r.NUM });
        }
      } catch (c) {
        const partial = bugError('SETTLEMENT_PARTIAL', `settlement ${s.settlementId}: entry ${p.ref} failed (${e.message}) and undoing the entries before it failed too (${(c as Error).message})`, {
          details: { settlementId: s.settlementId, posted: done.filter((q) => !undone.some((u) => u.entry.DES.endsWith(q.ref))) },
        });
        await write({ status: 'failed', entries: JSON.stringify(plan), problems: JSON.stringify([partial.toJSON()]) });
        throw partial;
      }
      await write({ status: 'failed', entries: '[]', problems: JSON.stringify([{ ...e.toJSON(), ref: p.ref, undone: undone.map((u) => u.ref) }]) });
      throw e;
    }
  }
  const entries = plan.filter((p) => p.kind === 'post');
  await write({ status: 'posted', entries: JSON.stringify(entries), problems: '[]' });
  return { status: plan.some((p) => p.kind === 'reversal') ? 'reposted' : created.length ? 'posted' : 'already-posted', revision: rev, created, found, entries };
}

/** The REF of the entry a planned reversal undoes. */
function undoRefOf(p: PlannedEntry, standing: PlannedEntry[]): string {
  const i = Number(p.ref.slice(p.ref.lastIndexOf('.') + 1)) - 1;
  return standing.filter((q) => q.kind === 'post')[i]?.ref ?? p.ref;
}

export async function settlementRow(db: Kysely<Database>, settlementId: string, currency: string): Promise<Row | undefined> {
  return (await db.selectFrom('settlements').selectAll().where('settlement_id', '=', settlementId).where('currency', '=', currency).executeTakeFirst()) as Row | undefined;
}
