// settlement: a settlement's month parts (the Amazon connector's getSettlementTotals) → journal
// entries by the mapping, posted to the ledger role's X3 whole and once by src/settlement's
// postSettlement — the code `syncline settlement import` posts with (decision 0010). So the flow, too,
// reverses and reposts when the mapping changed after posting (never edits in place), undoes the
// parts already posted when a later month's part is refused, and resumes a plan a crash or a
// transient failure interrupted. A line the settlement-accounts table does not know holds the
// settlement (SETTLEMENT_UNMAPPED, nothing posted); a replay once the table has it posts it.
import { userError } from '../../core/errors.js';
import type { SettlementTotals } from '../../connectors/amazon/settlement-totals.js';
import type { MonthPart } from '../../connectors/amazon/settlement-totals.js';
import { buildJournal, categorise, SETTLEMENT_TABLE } from '../../settlement/journal.js';
import { postSettlement } from '../../settlement/post.js';
import { x3Ledger } from '../../settlement/x3.js';
import type { SettlementStep } from '../document.js';
import { plain } from '../expr.js';
import type { StepKind } from './kind.js';

interface Totals {
  summary: SettlementTotals['summary'];
  months: MonthPart[];
}

export const settlementStep: StepKind<SettlementStep> = {
  kind: 'settlement',
  retry: 'transient',
  compile(step, env) {
    const totals = env.expr(step.totals, 'totals');
    const options = step.options ? env.expr(step.options, 'options') : undefined;
    const mapping = env.mapping(step.mapping);
    const ledger = x3Ledger((op, input) => env.call(`${step.ledger}.${op}`, input));
    return async (scope, ctx) => {
      const t = plain(await totals(scope)) as Totals;
      const opts = { ...env.mappingOptions, ...(options ? (plain(await options(scope)) as Record<string, unknown>) : {}) };
      const table = mapping.lookups[SETTLEMENT_TABLE];
      if (!table) throw userError('FLOW_INVALID', `${env.flow.id} ${step.id}: mapping ${step.mapping} names no ${SETTLEMENT_TABLE} table`);
      const { unmapped } = categorise(t.months, table);
      const journal = unmapped.length ? { entries: [], balanced: false, net: '0.00', difference: '0.00', hash: '' } : await buildJournal(t.summary, t.months, mapping, table, opts);
      const r = await postSettlement(env.db, ledger, t.summary, journal, unmapped, { settleMs: env.settleMs(step.ledger) });
      if (r.status === 'held') {
        throw userError('SETTLEMENT_UNMAPPED', `settlement ${t.summary.settlementId} held, nothing posted: the ${SETTLEMENT_TABLE} table has no account for ${unmapped.map((u) => `${u.description} (${u.amount})`).join(', ')}; add it, then replay`, {
          details: { settlementId: t.summary.settlementId, unmapped },
        });
      }
      const refs = (ps: typeof r.created) => ps.map((p) => p.ref);
      if (r.created.length) ctx.note(`${step.id}: ${r.status}, revision ${r.revision}: ${refs(r.created).join(', ')}`);
      return { status: r.status, revision: r.revision, created: refs(r.created), found: refs(r.found), entries: r.entries.map((p) => ({ ref: p.ref, TYP: p.TYP ?? null, NUM: p.NUM ?? null, net: p.entry.net })), difference: journal.difference };
    };
  },
};
