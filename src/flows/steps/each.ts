// each: nested steps per item (e.g. one X-Cart stock update per changed SKU). Items done are
// checkpointed by key, so a retry after item 500 of 1,000 failed starts at item 500. The outputs of
// the first 50 items done are checkpointed too, so a later step sees the same output after a resume.
import { SynclineError } from '../../core/errors.js';
import type { EachStep } from '../document.js';
import { plain } from '../expr.js';
import type { RunScope, StepKind } from './kind.js';

export const eachStep: StepKind<EachStep> = {
  kind: 'each',
  retry: 'transient',
  compile(step, env) {
    const items = env.expr(step.items, 'items');
    const key = env.expr(step.key, 'key');
    const nested = env.compileSteps(step.steps, `${step.id}.steps`);
    return async (scope, ctx) => {
      const list = plain(await items(scope));
      const arr = list === null ? [] : Array.isArray(list) ? list : [list];
      const doneKey = `each:${step.id}`;
      const outKey = `each:${step.id}:outputs`;
      const done = new Set((ctx.checkpoint[doneKey] as string[] | undefined) ?? []);
      const results: Array<{ key: string; outputs: Record<string, unknown> }> = [...((ctx.checkpoint[outKey] as typeof results | undefined) ?? [])];
      const resumed = results.length;
      let skipped = 0;
      for (const item of arr) {
        // One scope per item; each nested step's output joins its `steps` for the steps after it.
        // Object.assign, not `{ ...scope, item }`: V8's spread-then-add is slow (see scopeFor, src/mapping/expression.ts).
        const s: RunScope = Object.assign({}, scope, { item, steps: Object.assign({}, scope.steps) });
        const k = String(plain(await key(s)));
        if (done.has(k)) {
          skipped++;
          continue;
        }
        s.key = k;
        const inner: Record<string, unknown> = {};
        for (const n of nested) {
          try {
            const out = await n.run(s, ctx);
            inner[n.id] = s.steps[n.id] = out;
          } catch (e) {
            // The items before this one stay done; the retry starts here.
            ctx.checkpoint[doneKey] = [...done];
            ctx.checkpoint[outKey] = results.slice(0, 50);
            if (e instanceof SynclineError) e.details.item = k;
            throw e;
          }
        }
        done.add(k);
        results.push({ key: k, outputs: inner });
      }
      ctx.checkpoint[doneKey] = [...done];
      delete ctx.checkpoint[outKey];
      return { count: results.length - resumed, resumedPast: skipped, items: results.length > 50 ? results.slice(0, 50) : results };
    };
  },
};
