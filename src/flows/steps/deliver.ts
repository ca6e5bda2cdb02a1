// deliver: a connector write, exactly once in effect. The xref says whether the record was written
// before (then `update`, or leave it). Otherwise, when an earlier attempt may have written it, the
// target is searched by the reference field the record carries (`once`) before creating again.
//
// An unknown outcome (a timeout or a connection cut after the request was sent) is the dangerous
// case: the target may still be working on the first request, so a look-up now finds nothing and a
// second create makes a duplicate (issue 10: 600 orders became 608). The step records when the
// outcome became unknown and does not look up until `settleMs` later — longer than the target's own
// request limit — so the first request has either committed or died by then.
import { outcomeUnknown, SynclineError, toSynclineError, transientError } from '../../core/errors.js';
import type { Ref } from '../../core/xref.js';
import type { DeliverStep } from '../document.js';
import { plain } from '../expr.js';
import { truthy } from '../../mapping/expr.js';
import type { StepKind } from './kind.js';

export const deliverStep: StepKind<DeliverStep> = {
  kind: 'deliver',
  retry: 'transient',
  compile(step, env) {
    const input = env.expr(step.input ?? 'steps', 'input');
    const targetId = step.targetId ? env.expr(step.targetId, 'targetId') : undefined;
    const sourceKey = step.source?.key ? env.expr(step.source.key, 'source.key') : undefined;
    const reference = step.once ? env.expr(step.once.reference, 'once.reference') : undefined;
    const findInput = step.once?.findInput ? env.expr(step.once.findInput, 'once.findInput') : undefined;
    const foundId = step.once ? env.expr(step.once.foundId, 'once.foundId') : undefined;
    const updateInput = step.update?.input ? env.expr(step.update.input, 'update.input') : undefined;
    const currentInput = step.update?.current?.input ? env.expr(step.update.current.input, 'update.current.input') : undefined;
    const updateIf = step.update?.if ? env.expr(step.update.if, 'update.if') : undefined;
    const unknownKey = `unknown:${step.id}`;
    return async (scope, ctx) => {
      const conn = env.connection(step.target.role);
      const e = ctx.event;
      const source: Ref = { system: e.system, entity: step.source?.entity ?? e.entity, id: sourceKey ? String(plain(await sourceKey(scope))) : e.id };
      const target = { system: conn.system, entity: step.target.entity };
      const link = (id: string) => ctx.link(source, Object.assign({}, target, { id }));

      const known = await ctx.xref.find(source, target);
      if (known) {
        if (!step.update) return { action: 'unchanged', targetId: known };
        // The record as the target has it now, for updates that need its internal key or its state.
        const current = step.update.current ? await env.call(step.update.current.operation, currentInput ? await currentInput({ ...scope, targetId: known }) : { targetId: known }) : undefined;
        // Nothing the target keeps has changed (e.g. only the shop's shipping status): no call at all.
        if (updateIf && !truthy(await updateIf({ ...scope, targetId: known, current }))) return { action: 'unchanged', targetId: known };
        const result = await env.call(step.update.operation, updateInput ? await updateInput({ ...scope, targetId: known, current }) : { targetId: known });
        link(known);
        return { action: 'updated', targetId: known, result };
      }

      const body = await input(scope);
      const ref: string | undefined = step.once ? String(plain(await reference!(scope))) : undefined;
      // Without `once` the operation itself must look up first (e.g. createCreditNote by Reference):
      // it, too, must not be called again before the first request can no longer be in flight.
      const settleMs = step.once?.settleMs ?? env.settleMs(step.target.role);
      const since = ctx.checkpoint[unknownKey] as number | undefined;
      if (since !== undefined) {
        const wait = since + settleMs - Date.now();
        if (wait > 0) {
          throw transientError('DELIVERY_OUTCOME_UNKNOWN', `${step.operation} for ${ref ?? source.id}: the outcome of an earlier attempt is unknown; looking it up in ${Math.ceil(wait / 1000)} s, once ${conn.id} can no longer be working on it`, {
            details: { reference: ref ?? source.id, connection: conn.id, since },
            retryAfterMs: wait,
          });
        }
      }
      if (step.once) {
        if (since !== undefined || ctx.mayHaveRun) {
          // foundId is evaluated over the find operation's result.
          const hits = await env.call(step.once.find, findInput ? await findInput({ ...scope, reference: ref }) : { reference: ref });
          const found = plain(await foundId!(hits as never));
          if (found !== null && found !== '') {
            link(String(found));
            delete ctx.checkpoint[unknownKey];
            return { action: 'found-existing', targetId: String(found), reference: ref };
          }
        }
      }
      let result: unknown;
      try {
        result = await env.call(step.operation, body);
      } catch (raw) {
        const err = toSynclineError(raw);
        // Without `once`, only a write the client itself could not repeat (not an idempotent PUT) waits.
        if (outcomeUnknown(err) && (step.once || err.details.outcomeUnknown !== false)) {
          ctx.checkpoint[unknownKey] ??= Date.now();
          throw transientError('DELIVERY_OUTCOME_UNKNOWN', `${step.operation} for ${ref ?? source.id}: ${err.message}; the target may still apply it, so it is looked up in ${Math.ceil(settleMs / 1000)} s before any new attempt`, {
            details: { reference: ref ?? source.id, connection: conn.id, cause: err.code },
            retryAfterMs: settleMs,
          });
        }
        throw err;
      }
      delete ctx.checkpoint[unknownKey];
      const id = targetId ? plain(await targetId(result as never)) : undefined;
      if (id !== null && id !== undefined && id !== '') link(String(id));
      return { action: 'created', targetId: id ?? null, ...(ref !== undefined ? { reference: ref } : {}), result };
    };
  },
};
