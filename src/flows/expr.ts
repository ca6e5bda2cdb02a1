// Flow expressions: JSONata over the run scope, compiled by the mapping layer (same parser, same
// built-ins, RE2 regexes and budget as mapping expressions). A failure names the flow, the step and
// the field; over budget it is MAPPING_BUDGET_EXCEEDED with the limit that was hit.
import { compileExpression } from '../mapping/index.js';

/**
 * Callers `await` the result. An expression the mapping layer compiled to JS answers synchronously
 * (a value, no promise): most flow expressions are, and each is evaluated per record, some per item.
 */
export type FlowExpr = (scope: Record<string, unknown>) => unknown;

/**
 * A flow step may filter a whole snapshot (every SKU of a shop) where a mapping field sees one
 * record: it gets ten times a mapping's CPU time. Sizes stay bounded as for mappings.
 */
export const FLOW_EXPRESSION_BUDGET = { timeMs: 500 };

/** Compiles `text`; `where` is e.g. "xcart-order-to-sage300 steps[3] (deliver).input" (shown in errors). */
export function compileFlowExpr(text: string, where: string): FlowExpr {
  const e = compileExpression(text, { name: `flow ${where}`, budget: FLOW_EXPRESSION_BUDGET });
  const bindings = (scope: Record<string, unknown>) => ({ options: (scope.options as Record<string, unknown>) ?? {} });
  return e.sync ? (scope) => e.evaluateSync(scope, bindings(scope)) : (scope) => e(scope, bindings(scope));
}

/** Synchronous (for ordering keys, computed at intake): FLOW_INVALID at deploy when the expression needs jsonata's evaluator. */
export function compileSyncFlowExpr(text: string, where: string): ((scope: Record<string, unknown>) => unknown) | undefined {
  const e = compileExpression(text, { name: `flow ${where}`, budget: FLOW_EXPRESSION_BUDGET });
  return e.sync ? (scope) => e.evaluateSync(scope) : undefined;
}

/** JSONata gives "nothing" as undefined; flows want null. */
export function plain(v: unknown): unknown {
  if (v === undefined) return null;
  return v;
}
