// One JSONata expression outside a mapping spec — a flow's conditions, step inputs, keys — with the
// same parser, built-ins, RE2 regexes and budget as mapping expressions. The flow runtime's entry:
//   const cond = compileExpression("payload.total > 100", { name: 'flow big-orders when' });
//   if (await cond(event, { options })) …
import { bugError, SynclineError, userError } from '../core/errors.js';
import { asBudgetExceeded, Budget, budgetError, budgetLimits, type BudgetLimits } from './budget.js';
import { compileExpr, setOwn, type Scope } from './expr.js';
import { RuntimeState } from './functions.js';
import type { RateTable } from './transforms/currency.js';
import type { LookupTables } from './types.js';

export interface ExpressionOptions {
  /** Where the expression lives, shown in every error: e.g. `flow xcart-order-to-sage300 steps.deliver.input`. */
  name: string;
  /** Limits per evaluation; default DEFAULT_BUDGET (budget.ts). */
  budget?: Partial<BudgetLimits>;
  /** Tables for `$table(...)`, rates for `$convert(...)`. */
  lookups?: LookupTables;
  rates?: RateTable;
  /** Evaluate with jsonata-js even where the expression compiles (the differential tests' baseline). */
  interpretOnly?: boolean;
}

export interface Expression {
  /**
   * Evaluates against `input` (the context, also `$root`); each binding is a `$name` variable
   * (`options` is also what `$options` and the built-ins read). Rejects with a SynclineError:
   * MAPPING_BUDGET_EXCEEDED over budget, MAPPING_EXPRESSION_FAILED for a failure at run time.
   */
  (input: unknown, bindings?: Record<string, unknown>): Promise<unknown>;
  readonly text: string;
  /** True when the expression compiled to JS, so `evaluateSync` is available (no promise). */
  readonly sync: boolean;
  /** Same as calling it, synchronously; throws MAPPING_NEEDS_ASYNC (a bug) when `sync` is false. */
  evaluateSync(input: unknown, bindings?: Record<string, unknown>): unknown;
}

/** Compiles once (MAPPING_SYNTAX on a syntax error or a regex RE2 cannot run); evaluate many times. */
export function compileExpression(text: string, opts: ExpressionOptions): Expression {
  const limits = budgetLimits(opts.budget);
  const c0 = compileExpr(text, { where: opts.name }, limits);
  const c = opts.interpretOnly ? { ...c0, fast: undefined } : c0;

  const scopeFor = (input: unknown, bindings: Record<string, unknown> | undefined): Scope => {
    const options = (bindings?.options as Record<string, unknown> | undefined) ?? {};
    const rt = new RuntimeState(opts.lookups ?? {}, opts.rates, new Date(), options, new Budget(limits));
    rt.path = opts.name;
    // Not `{ ...bindings, root, options }`: in Node 20 a spread followed by more keys takes V8's slow
    // path (~1 µs; a flow evaluates ~20 expressions per order), copying key by key does not (~20 ns).
    const vars: Record<string, unknown> = { root: input, options };
    if (bindings) for (const k of Object.keys(bindings)) if (k !== 'root' && k !== 'options') setOwn(vars, k, bindings[k]);
    return { root: input, vars, rt };
  };
  const failed = (err: unknown): SynclineError => {
    const over = asBudgetExceeded(err);
    if (over) return budgetError(over, { what: opts.name, expression: text }, limits);
    if (err instanceof SynclineError) return err;
    const msg = err && typeof err === 'object' && 'message' in err ? String((err as { message: unknown }).message) : String(err);
    return userError('MAPPING_EXPRESSION_FAILED', `${opts.name}: \`${text}\` failed: ${msg}`, { details: { name: opts.name, expression: text } });
  };
  // Built-ins report bad data as issues instead of throwing (a mapping collects them all); an
  // expression on its own has nowhere to put them, so they fail it. The issues ($fail's message, an
  // unknown code) say what is wrong: a long expression stays in the details, out of the message an
  // operator reads in a dead letter.
  const shown = text.length <= 160 ? ` \`${text}\`:` : '';
  const settle = (v: unknown, s: Scope): unknown => {
    if (s.rt.errors.length) {
      throw userError('MAPPING_EXPRESSION_FAILED', `${opts.name}:${shown} ${s.rt.errors.map((e) => e.message).join('; ')}`, {
        details: { name: opts.name, expression: text, errors: s.rt.errors },
      });
    }
    return v;
  };

  const evaluateSync = (input: unknown, bindings?: Record<string, unknown>): unknown => {
    if (!c.fast) throw bugError('MAPPING_NEEDS_ASYNC', `${opts.name}: \`${text}\` needs the jsonata evaluator; call it, not evaluateSync()`);
    const s = scopeFor(input, bindings);
    let v: unknown;
    try {
      v = c.fast(input, s);
    } catch (e) {
      throw failed(e);
    }
    return settle(v, s);
  };
  const evaluate = async (input: unknown, bindings?: Record<string, unknown>): Promise<unknown> => {
    if (c.fast) return evaluateSync(input, bindings);
    const s = scopeFor(input, bindings);
    let v: unknown;
    try {
      v = await c.slow(input, s);
    } catch (e) {
      throw failed(e);
    }
    return settle(v, s);
  };
  return Object.assign(evaluate, { text, sync: c.fast !== undefined, evaluateSync });
}
