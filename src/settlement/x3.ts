// The ledger a settlement posts to: Sage X3 journal entries (GACCENTRY, publication GAS) through the
// X3 connector's save and query operations — called on a client (the CLI) or through a flow's bound
// connection (the settlement step kind), so both post with the same code.
import type { SageX3Client } from '../connectors/sagex3/index.js';
import { query } from '../connectors/sagex3/operations/query.js';
import { save } from '../connectors/sagex3/operations/save.js';
import { userError } from '../core/errors.js';
import { toX3, type JournalEntry } from './journal.js';
import type { Ledger } from './post.js';

/** Calls an X3 connector operation (`query` or `save`) with its input. */
export type X3Call = (operation: 'query' | 'save', input: unknown) => Promise<unknown>;

export function x3Ledger(target: SageX3Client | X3Call): Ledger {
  const call: X3Call = typeof target === 'function' ? target : (op, input) => (op === 'query' ? query.call(target, input as never) : save.call(target, input as never));
  return {
    async find(ref) {
      // Compared exactly afterwards: the left list matches a trailing * as a prefix.
      const rows = ((await call('query', { object: 'GAS', criteria: { REF: ref }, listSize: 5 })) as Array<Record<string, unknown>>).filter((r) => r.REF === ref);
      if (rows.length > 1) throw userError('X3_DUPLICATE', `Journal entries ${rows.map((r) => `${String(r.TYP)}/${String(r.NUM)}`).join(', ')} all carry reference ${ref}; keep one and import again`, { details: { ref, entries: rows } });
      return rows[0] ? { TYP: String(rows[0].TYP), NUM: String(rows[0].NUM) } : undefined;
    },
    async save(entry: JournalEntry) {
      const r = (await call('save', { object: 'GAS', data: toX3(entry) })) as Record<string, unknown>;
      return { TYP: String(r.TYP), NUM: String(r.NUM) };
    },
  };
}
