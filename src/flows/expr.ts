// Flow expressions: JSONata over the run scope, compiled by the mapping layer (same parser, same
// built-ins, same budget as mapping expressions). A failure names the flow, the step and the field.
import { toSynclineError, userError } from '../core/errors.js';
import { compileExpr, type Scope } from '../mapping/expr.js';
import type { Runtime } from '../mapping/functions.js';
import { Budget, budgetLimits } from '../mapping/budget.js';

export type FlowExpr = (scope: Record<string, unknown>) => Promise<unknown>;

/** Compiles `text`; `where` is e.g. "xcart-order-to-sage300 steps.deliver.input" (shown in errors). */
export function compileFlowExpr(text: string, where: string): FlowExpr {
  const compiled = compileExpr(text, { where });
  return async (scope) => {
    const rt: Runtime = {
      lookups: {},
      rates: undefined,
      now: new Date(),
      options: (scope.options as Record<string, unknown>) ?? {},
      warnings: [],
      errors: [],
      applied: [],
      path: where,
      srcBase: '',
      budget: new Budget(budgetLimits()),
    };
    const s: Scope = { root: scope, vars: {}, rt };
    try {
      return compiled.fast ? compiled.fast(scope, s) : await compiled.slow(scope, s);
    } catch (e) {
      const err = toSynclineError(e);
      if (err.code !== 'UNEXPECTED') throw err;
      throw userError('FLOW_EXPRESSION_FAILED', `${where}: \`${text}\` failed: ${(e as Error).message}`, { details: { where, expression: text } });
    }
  };
}

/** JSONata gives a one-element sequence as the element and "nothing" as undefined; flows want plain values. */
export function plain(v: unknown): unknown {
  if (v === undefined) return null;
  return v;
}
