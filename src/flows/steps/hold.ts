// hold: scores the order for risk and anomalies (src/intelligence, offline) before it reaches the
// ERP. At or above the threshold the run ends as a dead letter ORDER_HELD_FOR_REVIEW with the score's
// reasons, for a person to release (replayed: a released order passes) or cancel (discarded with a
// reason) — `syncline holds`, /api/holds. An anomaly is alerted and noted with the run; it holds the
// order too when the step says `anomalies: hold`.
import { alertFlagged } from '../../alerts/alerts.js';
import { batchLoader } from '../../core/batch-loader.js';
import { userError } from '../../core/errors.js';
import { FlowStop } from '../../core/flow.js';
import { HoldStore, HELD_CODE, recordKeyOf, toRiskOrder } from '../../intelligence/holds.js';
import { saveRecorded, storedScorer } from '../../intelligence/risk-store.js';
import { HOLD_THRESHOLD } from '../../intelligence/risk.js';
import type { HoldStep } from '../document.js';
import { plain } from '../expr.js';
import type { StepKind } from './kind.js';

export const holdStep: StepKind<HoldStep> = {
  kind: 'hold',
  retry: 'never',
  compile(step, env) {
    const order = env.expr(step.order, 'order');
    const threshold = step.threshold ? env.expr(step.threshold, 'threshold') : undefined;
    const holds = new HoldStore(env.db);
    // A person's decision on each order, asked for all orders of a turn at once (a statement per order was
    // the only per-order query of the Amazon order path; issue 9).
    const decisionOf = batchLoader((keys: string[]) => holds.getMany(env.flow.id, keys));
    return async (scope, ctx) => {
      const o = toRiskOrder(plain(await order(scope)));
      const limit = threshold ? Number(plain(await threshold(scope))) : HOLD_THRESHOLD;
      if (!Number.isFinite(limit)) throw userError('FLOW_INVALID', `${env.flow.id} ${step.id}.threshold is not a number`);
      const recordKey = recordKeyOf(ctx.event);
      const decided = await decisionOf(recordKey);
      const scorerScope = `${env.flow.id}|${ctx.event.connection ?? ctx.event.system}`;
      const { score, reasons, anomalies, recorded } = (await storedScorer(env.db, scorerScope)).score(o);
      // Stored before the order goes on: a restart then still counts it (velocity, known buyer).
      if (recorded) await saveRecorded(env.db, scorerScope, recorded);
      if (decided?.status === 'released') {
        ctx.note(`${step.id}: released for the ERP by ${decided.decidedBy ?? 'a person'} (score ${decided.score})`);
        return { score, reasons, anomalies: anomalies.map((a) => a.reason), held: false, released: true };
      }
      if (decided?.status === 'cancelled') throw new FlowStop(`order cancelled after review by ${decided.decidedBy ?? 'a person'}: ${decided.decisionReason ?? ''}`);
      const flagged = anomalies.map((a) => `anomaly: ${a.reason}`);
      const hold = score >= limit || (step.anomalies === 'hold' && flagged.length > 0);
      if (flagged.length || hold) {
        const message = `${env.flow.id}: order ${o.id} ${hold ? 'held for review' : 'flagged'}: risk ${score}/${limit}; ${[...reasons, ...flagged].join('; ')}`;
        // Alerting is best effort and must not slow the run: a webhook may take seconds.
        void alertFlagged({ db: env.db }, env.flow.id, message).catch(() => {});
      }
      if (!hold) {
        if (flagged.length) ctx.note(`${step.id}: ${flagged.join('; ')}`);
        return { score, reasons, anomalies: anomalies.map((a) => a.reason), held: false };
      }
      const all = [...reasons, ...flagged];
      await holds.hold({ flow: env.flow.id, recordKey, version: ctx.event.version, score, threshold: limit, reasons: all, jobId: null });
      throw userError(HELD_CODE, `order ${o.id} held for review: ${score >= limit ? `risk score ${score} ≥ ${limit}` : `anomalies (risk score ${score} < ${limit})`} (${all.join('; ')}); release or cancel it: syncline holds release|cancel`, {
        details: { score, threshold: limit, reasons: all, order: o.id },
      });
    };
  },
};
