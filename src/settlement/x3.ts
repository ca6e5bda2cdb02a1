// The ledger a settlement posts to: Sage X3 journal entries (GACCENTRY, publication GAS) through the
// X3 connector's save and query operations.
import type { SageX3Client } from '../connectors/sagex3/index.js';
import { query } from '../connectors/sagex3/operations/query.js';
import { save } from '../connectors/sagex3/operations/save.js';
import { userError } from '../core/errors.js';
import { toX3, type JournalEntry } from './journal.js';
import type { Ledger } from './post.js';

export function x3Ledger(client: SageX3Client): Ledger {
  return {
    async find(ref) {
      // Compared exactly afterwards: the left list matches a trailing * as a prefix.
      const rows = (await query.call(client, { object: 'GAS', criteria: { REF: ref }, listSize: 5 })).filter((r) => r.REF === ref);
      if (rows.length > 1) throw userError('X3_DUPLICATE', `Journal entries ${rows.map((r) => `${r.TYP}/${r.NUM}`).join(', ')} all carry reference ${ref}; keep one and import again`, { details: { ref, entries: rows } });
      return rows[0] ? { TYP: String(rows[0].TYP), NUM: String(rows[0].NUM) } : undefined;
    },
    async save(entry: JournalEntry) {
      const r = await save.call(client, { object: 'GAS', data: toX3(entry) as never });
      return { TYP: String(r.TYP), NUM: String(r.NUM) };
    },
  };
}
