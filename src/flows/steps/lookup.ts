// lookup: find-or-create through the xref (the buyer by e-mail → the Sage 300 customer). Cached in
// the xref; else the target is searched (`find`); else created (`create`, optionally through a
// mapping) — under a claim row, so two first orders of one new buyer arriving at the same moment
// make one customer: the second waits for the first's xref instead of creating its own. A target
// that answers "duplicate" (`create.duplicate`) is resolved to the existing record by `find`.
// A create whose outcome is unknown (timeout, answer lost) is not looked up again until the target can
// no longer be working on it (the settle time, as for deliver), and the claim is held until then.
import { mappingError } from '../../mapping/index.js';
import { outcomeUnknown, SynclineError, toSynclineError, transientError, userError } from '../../core/errors.js';
import type { LookupStep } from '../document.js';
import { plain, type FlowExpr } from '../expr.js';
import type { StepKind } from './kind.js';

const CLAIM_MS = 60_000;

export const lookupStep: StepKind<LookupStep> = {
  kind: 'lookup',
  retry: 'transient',
  compile(step, env) {
    const key = env.expr(step.key, 'key');
    const otherwise = step.otherwise ? env.expr(step.otherwise, 'otherwise') : undefined;
    const findInput = step.find?.input ? env.expr(step.find.input, 'find.input') : undefined;
    const findId = step.find ? env.expr(step.find.id, 'find.id') : undefined;
    const createInput = step.create?.input ? env.expr(step.create.input, 'create.input') : undefined;
    const operationInput = step.create?.operationInput ? env.expr(step.create.operationInput, 'create.operationInput') : undefined;
    const createId = step.create ? env.expr(step.create.id, 'create.id') : undefined;
    const mapping = step.create?.mapping ? env.mapping(step.create.mapping) : undefined;
    const idOf = async (expr: FlowExpr, result: unknown) => {
      if (result === null || result === undefined) return undefined; // e.g. getItem: no such item
      const v = plain(await expr(result as never));
      return v === null || v === '' ? undefined : String(v);
    };
    return async (scope, ctx) => {
      const k = plain(await key(scope));
      const fallback = async (why: string) => {
        if (!otherwise) throw userError('LOOKUP_NOT_FOUND', `${step.id}: ${why}, and the flow names no fallback (otherwise)`, { details: { step: step.id } });
        return { id: String(plain(await otherwise(scope))), action: 'fallback' };
      };
      if (k === null || k === '') return fallback('no key');
      const conn = env.connection(step.target.role);
      const source = { system: ctx.event.system, entity: step.source.entity, id: String(k) };
      const target = { system: conn.system, entity: step.target.entity };
      const cached = await ctx.xref.find(source, target);
      if (cached) return { id: cached, action: 'cached' };

      const unknownKey = `unknown:${step.id}`;
      const since = ctx.checkpoint[unknownKey] as number | undefined;
      const settleMs = env.settleMs(step.target.role);
      if (since !== undefined && since + settleMs > Date.now()) {
        const wait = since + settleMs - Date.now();
        throw transientError('DELIVERY_OUTCOME_UNKNOWN', `${step.id}: the outcome of an earlier ${step.create?.operation ?? 'create'} is unknown; looking it up in ${Math.ceil(wait / 1000)} s, once ${conn.id} can no longer be working on it`, { details: { step: step.id, connection: conn.id, since }, retryAfterMs: wait });
      }
      const s = Object.assign({}, scope, { key: k }); // not a spread: see expression.ts
      const find = async () => (step.find && findId ? idOf(findId, await env.call(step.find.operation, findInput ? await findInput(s) : { key: k })) : undefined);
      const found = await find();
      if (found) {
        ctx.link(source, Object.assign({}, target, { id: found }));
        return { id: found, action: 'found' };
      }
      if (!step.create || !createId) return fallback(`no ${target.system} ${target.entity} for this key`);

      const claim = `${conn.id}|${target.entity}|${String(k)}`;
      const owner = `${ctx.event.eventId ?? ctx.event.id}:${ctx.attempt}`;
      await takeClaim(env.db, claim, owner);
      ctx.commitWith(async (trx) => void (await trx.deleteFrom('lookup_claims').where('key', '=', claim).where('owner', '=', owner).execute()));
      // Claimed: another run may have created it between our find and our claim.
      const again = await find();
      if (again) {
        ctx.link(source, Object.assign({}, target, { id: again }));
        return { id: again, action: 'found' };
      }
      let body: unknown = createInput ? await createInput(s) : ctx.event.payload;
      if (mapping) {
        const result = await mapping.run(body, { options: env.mappingOptions });
        if (result.errors.length) throw mappingError(result, mapping);
        body = result.output;
      }
      if (operationInput) body = await operationInput({ ...s, mapped: body });
      let id: string | undefined;
      try {
        id = await idOf(createId, await env.call(step.create.operation, body));
      } catch (e) {
        if (outcomeUnknown(e) && (e as SynclineError).details.outcomeUnknown !== false) {
          ctx.checkpoint[unknownKey] ??= Date.now();
          // Nobody else creates this record meanwhile: the claim outlives the settle time.
          await env.db.updateTable('lookup_claims').set({ expires_at: Date.now() + settleMs + CLAIM_MS }).where('key', '=', claim).where('owner', '=', owner).execute();
          throw transientError('DELIVERY_OUTCOME_UNKNOWN', `${step.id}: ${step.create.operation}: ${toSynclineError(e).message}; the target may still apply it, so it is looked up in ${Math.ceil(settleMs / 1000)} s before any new attempt`, {
            details: { step: step.id, connection: conn.id, cause: (e as SynclineError).code },
            retryAfterMs: settleMs,
          });
        }
        if (!(e instanceof SynclineError) || !step.create.duplicate || e.code !== step.create.duplicate) throw e;
        id = await find();
        if (!id) throw e;
        ctx.link(source, Object.assign({}, target, { id }));
        return { id, action: 'found-duplicate' };
      }
      if (!id) throw userError('LOOKUP_NOT_FOUND', `${step.id}: ${step.create.operation} answered without an id (${step.create.id})`);
      delete ctx.checkpoint[unknownKey];
      ctx.link(source, Object.assign({}, target, { id }));
      return { id, action: 'created' };
    };
  },
};

/** Takes the claim row, or throws a short retry when another live run holds it. */
async function takeClaim(db: import('kysely').Kysely<import('../../core/db/schema.js').Database>, key: string, owner: string): Promise<void> {
  const now = Date.now();
  const inserted = await db.insertInto('lookup_claims').values({ key, owner, expires_at: now + CLAIM_MS }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  if (Number((inserted as { numInsertedRows?: bigint }).numInsertedRows ?? 0) > 0) return;
  // Expired (its run died) or our own from an earlier attempt: take it over.
  const taken = await db
    .updateTable('lookup_claims')
    .set({ owner, expires_at: now + CLAIM_MS })
    .where('key', '=', key)
    .where((eb) => eb.or([eb('expires_at', '<', now), eb('owner', 'like', `${owner.split(':')[0]}:%`)]))
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) > 0) return;
  throw transientError('LOOKUP_IN_PROGRESS', `another run is creating the record for this key; waiting for it`, { details: { key: key.replace(/\|[^|]*$/, '|…') }, retryAfterMs: 500 });
}
