// Every evaluation (one mapping run for one record, or one flow expression) runs under a budget, so
// one hostile expression or record costs at most one dead letter, never the engine (issue 10):
//   - regular expressions run in RE2 (re2js, linear time); syntax RE2 cannot run in linear time
//     (backreferences, lookaround) is refused when the expression is compiled;
//   - time: CPU time per evaluation, looked at every 1024 units of work counted in every loop of
//     compiled code and at the exit of each jsonata evaluation step;
//   - recursion: jsonata's evaluation depth (`stack`); compiled code has no recursion of its own;
//   - memory: the size of each string and list an expression makes, and their running total.
// Over budget → BudgetExceeded, turned by the caller into MAPPING_BUDGET_EXCEEDED naming the mapping,
// the target field and the expression text.
import { openSync, readSync } from 'node:fs';
import jsonata from 'jsonata';
import { RE2JS } from 're2js';
import { userError, type SynclineError } from '../core/errors.js';

export interface BudgetLimits {
  /**
   * CPU time (user + system, ms) for one evaluation; also 20× this in wall-clock time. CPU time, so a
   * busy machine does not dead-letter a record whose mapping is merely slower than usual.
   */
  timeMs: number;
  /** jsonata evaluation depth: nesting plus recursion (each recursive call costs 3–10 levels). */
  depth: number;
  /** Characters in any one string an expression makes. */
  maxString: number;
  /** Items in any one list an expression makes (jsonata's `sequence` limit, ranges included). */
  maxItems: number;
  /** Characters plus list items made in one evaluation, all expressions together. */
  maxAllocated: number;
}

// 50 ms of CPU: 10× the slowest shipped template on its largest realistic input (the jsonata
// fallbacks take 1–5 ms; compiled templates 0.05 ms for a 5-line order, ~6 ms for 500 lines), yet
// a runaway loop holds the event loop a twentieth of a second before its event is dead-lettered.
// Two million characters: twice the webhook intake's 1 MB body limit, so a stringified payload fits.
export const DEFAULT_BUDGET: Readonly<BudgetLimits> = Object.freeze({
  timeMs: 50,
  depth: 1000,
  maxString: 2_000_000,
  maxItems: 100_000,
  maxAllocated: 20_000_000,
});

/** The wall-clock backstop, as a multiple of `timeMs` (2 cores shared by ~8 busy processes ≈ 8×). */
const WALL_FACTOR = 20;

export type BudgetLimitName = 'time' | 'depth' | 'string' | 'items' | 'allocated' | 'memory';

/** Thrown inside an evaluation; the runner adds where it happened and makes the SynclineError. */
export class BudgetExceeded extends Error {
  constructor(
    readonly limit: BudgetLimitName,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Units of work between two looks at the clock (a look at the thread's CPU clock costs 2–30 µs). The clock starts
 * at the first look, so a run of fewer units (a 5-line order is ~100) never pays for one; the work
 * before it is bounded by those 1024 units.
 */
const CHECK_EVERY = 1024;

/**
 * CPU milliseconds of the calling thread. Node 20 has no per-thread clock (`process.threadCpuUsage`
 * came in 23.9) and `process.cpuUsage()` counts every thread of the process: under load, V8's
 * background compiler and GC threads or the thread pool (gzip) could charge a record 50 ms it never
 * used — a spurious dead letter (seen in CI at load 24). On Linux, /proc/thread-self/schedstat gives
 * this thread's run time in ns (pread on one fd opened per thread: module instances are per thread);
 * elsewhere the process figure remains, with the retry in compile.ts as the margin.
 */
export const threadCpuMs: () => number = (() => {
  try {
    const fd = openSync('/proc/thread-self/schedstat', 'r');
    const buf = Buffer.alloc(48);
    const read = (): number => {
      const n = readSync(fd, buf, 0, 48, 0);
      let ns = 0;
      for (let i = 0; i < n; i++) {
        const d = buf[i]! - 48;
        if (d < 0 || d > 9) break;
        ns = ns * 10 + d;
      }
      return ns / 1e6;
    };
    if (read() > 0) return read;
  } catch {
    /* not Linux, or /proc is not mounted */
  }
  return () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
})();

export class Budget {
  steps = 0;
  allocated = 0;
  private nextCheck = CHECK_EVERY;
  private cpuStart = -1;
  private wallStart = 0;
  constructor(readonly limits: BudgetLimits) {}
  /** Counts `n` units of work (loop iterations, evaluation steps). */
  tick(n: number): void {
    if ((this.steps += n) >= this.nextCheck) this.checkTime();
  }
  /**
   * Starts the clock now rather than at the first look. The jsonata path calls it (its single steps
   * can be slow, and it costs ~1 µs against the milliseconds jsonata takes); compiled code does not.
   */
  startClock(): void {
    if (this.cpuStart >= 0 || this.wallStart > 0) return;
    // Wall time from now; CPU time from the first look (process.cpuUsage() is a getrusage system call,
    // ~10 µs on a loaded machine: paid up front by each of a flow's many short jsonata expressions it
    // was most of a stock event's cost). The wall-clock backstop bounds what comes before that look.
    this.wallStart = performance.now();
  }
  private startCpu(): void {
    this.cpuStart = threadCpuMs();
    if (this.wallStart === 0) this.wallStart = performance.now();
  }
  checkTime(): void {
    this.nextCheck = this.steps + CHECK_EVERY;
    if (this.cpuStart < 0) {
      this.startCpu();
      const early = performance.now() - this.wallStart;
      if (early > this.limits.timeMs * WALL_FACTOR) throw new BudgetExceeded('time', `ran longer than ${Math.round(early)} ms`);
      return;
    }
    const cpu = threadCpuMs();
    if (cpu - this.cpuStart > this.limits.timeMs) throw new BudgetExceeded('time', `used more than ${this.limits.timeMs} ms of CPU`);
    const wall = performance.now() - this.wallStart;
    if (wall > this.limits.timeMs * WALL_FACTOR) throw new BudgetExceeded('time', `ran longer than ${Math.round(wall)} ms`);
  }
  /** A string an expression made. */
  string(s: string): void {
    if (s.length > this.limits.maxString) throw new BudgetExceeded('string', `made a string of ${s.length} characters (limit ${this.limits.maxString})`);
    this.alloc(s.length);
  }
  /** A list an expression made. */
  items(n: number): void {
    if (n > this.limits.maxItems) throw new BudgetExceeded('items', `made a list of ${n} items (limit ${this.limits.maxItems})`);
    this.alloc(n);
  }
  alloc(n: number): void {
    if ((this.allocated += n) > this.limits.maxAllocated) throw new BudgetExceeded('allocated', `made more than ${this.limits.maxAllocated} characters and list items in all`);
    // Making something big is where one step can take long (jsonata's $pad: ~30 ns a character).
    if (n >= BIG) this.checkTime();
  }
}

/** A string or list this large looks at the clock at once, whatever the step count. */
const BIG = 16_384;

/**
 * A Budget whose checks do nothing, for `bench/mapping` only: run in a process of its own, its empty
 * methods are inlined away, which measures what the checks of compiled code cost.
 */
export class UncheckedBudget extends Budget {
  override startClock(): void {}
  override tick(): void {}
  override string(): void {}
  override items(): void {}
  override alloc(): void {}
}

export function budgetLimits(overrides?: Partial<BudgetLimits>): BudgetLimits {
  if (!overrides) return DEFAULT_BUDGET;
  const l = { ...DEFAULT_BUDGET, ...overrides };
  for (const [k, v] of Object.entries(l)) {
    if (typeof v !== 'number' || !(v > 0)) throw userError('MAPPING_SYNTAX', `budget.${k} must be a positive number (got ${JSON.stringify(v)})`, { details: { field: `budget.${k}` } });
  }
  return l;
}

/**
 * The error for an evaluation that went over budget (or that the JS engine itself refused: a string
 * or array too long to allocate, a stack overflow). `undefined` for every other failure.
 */
export function asBudgetExceeded(err: unknown): BudgetExceeded | undefined {
  if (err instanceof BudgetExceeded) return err;
  // V8's own refusals to allocate or recurse; other RangeErrors ("Invalid time value") are data problems.
  if (err instanceof RangeError && /^(Invalid (string|array|typed array) length|Maximum call stack size exceeded|Array buffer allocation failed)/.test(err.message)) {
    return new BudgetExceeded('memory', err.message);
  }
  const code = err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  const value = (err as { value?: unknown }).value;
  // jsonata's own guardrails: D1011 stack depth, D1012 timeout, D2014 range > 1e7, D2015 sequence.
  if (code === 'D1011') return new BudgetExceeded('depth', `recursed deeper than ${String(value)} evaluation levels`);
  if (code === 'D1012') return new BudgetExceeded('time', `ran longer than ${String(value)} ms`);
  if (code === 'D2014' || code === 'D2015') return new BudgetExceeded('items', `made a list of ${String(value)} items`);
  return undefined;
}

export interface BudgetSite {
  /** e.g. `mapping xcart-sage300/order-to-oe-order v1` or `flow x-to-y condition`. */
  what: string;
  /** The target field being computed, when a mapping. */
  field?: string;
  expression: string;
  details?: Record<string, unknown>;
}

/** MAPPING_BUDGET_EXCEEDED (user): the record's event is dead-lettered with this reason. */
export function budgetError(e: BudgetExceeded, site: BudgetSite, limits: BudgetLimits): SynclineError {
  const expr = site.expression.length > 200 ? `${site.expression.slice(0, 200)}…` : site.expression;
  return userError('MAPPING_BUDGET_EXCEEDED', `${site.what}${site.field ? `, field ${site.field}` : ''}: expression \`${expr}\` ${e.message}; stopped`, {
    details: { ...site.details, ...(site.field ? { field: site.field } : {}), expression: site.expression, limit: e.limit, limits: { ...limits } },
  });
}

// ---------------------------------------------------------------- regular expressions in RE2

const re2Cache = new WeakMap<RegExp, RE2JS>();

/** A jsonata regex literal (a JS RegExp from its tokenizer) compiled by RE2; throws on syntax RE2 refuses. */
export function re2For(re: RegExp): RE2JS {
  let p = re2Cache.get(re);
  if (!p) {
    let flags = 0;
    if (re.flags.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
    if (re.flags.includes('m')) flags |= RE2JS.MULTILINE;
    p = RE2JS.compile(jsToRe2Syntax(re.source), flags);
    re2Cache.set(re, p);
  }
  return p;
}

/** `\uXXXX` (JS) is `\x{XXXX}` in RE2; everything else in the common subset is spelled alike. */
function jsToRe2Syntax(src: string): string {
  if (!src.includes('\\u')) return src;
  return src.replace(/\\(\\|u([0-9A-Fa-f]{4}))/g, (m, _e, hex: string | undefined) => (hex ? `\\x{${hex}}` : m));
}

/**
 * Why RE2 refuses a regex, in words a mapping author can act on; undefined when it compiles.
 */
export function re2Problem(re: RegExp): string | undefined {
  try {
    re2For(re);
    return undefined;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return `/${re.source}/ cannot run in linear time (RE2: ${msg.replace(/^error parsing regexp: /, '')}). Backreferences (\\1) and lookaround ((?=…), (?!…), (?<=…), (?<!…)) are not supported; rewrite the pattern without them`;
  }
}

/**
 * What jsonata's evaluator uses in place of `RegExp` (its `RegexEngine` option): the `exec` /
 * `lastIndex` protocol of a global RegExp, run by RE2, so `$match`, `$replace`, `$split` and
 * `$contains` take time linear in the text whatever the pattern.
 */
export class Re2RegexEngine {
  lastIndex = 0;
  private readonly p: RE2JS;
  constructor(re: RegExp) {
    this.p = re2For(re);
  }
  exec(str: string): RegExpExecArray | null {
    const m = this.p.matcher(str);
    if (this.lastIndex > str.length || !m.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const out = [m.group(0) ?? ''] as unknown as RegExpExecArray;
    const n = m.groupCount();
    for (let i = 1; i <= n; i++) out.push(m.group(i) ?? (undefined as unknown as string));
    out.index = m.start();
    out.input = str;
    this.lastIndex = m.end();
    return out;
  }
}

// ---------------------------------------------------------------- jsonata's evaluator under the budget

/**
 * Binding name under which an evaluation's Budget is handed to jsonata. The space makes it a name no
 * JSONata expression can write or shadow (`$name` stops at the space).
 */
export const BUDGET_BINDING = 'syncline budget';

type JsonataEnv = { lookup(name: string): unknown };

/** Options for `jsonata(text, options)`: RE2 for regexes and jsonata's own depth/time/sequence guards. */
export function jsonataOptions(limits: BudgetLimits) {
  // No jsonata `timeout`: it is wall-clock per evaluate() call; our exit hook checks the run's budget.
  return { RegexEngine: Re2RegexEngine as unknown as RegExpConstructor, stack: limits.depth, sequence: limits.maxItems };
}

// Results of these nodes are new strings (concatenation, function results); a path step only hands
// on a string that already exists and is not counted again.
const MAKES_STRINGS = new Set(['function', 'apply', 'binary', 'partial']);

/**
 * Runs after every jsonata evaluation step: the run's deadline, and the size of what the step made.
 * It cannot stop a single built-in call from allocating, hence the checked `$pad` and `$join` below.
 */
function onExit(expr: { type: string }, _input: unknown, env: JsonataEnv, result: unknown): void {
  const b = env.lookup(BUDGET_BINDING) as Budget | undefined;
  if (!b) return;
  b.tick(1);
  if (typeof result === 'string') {
    if (MAKES_STRINGS.has(expr.type)) b.string(result);
  } else if (Array.isArray(result) && result.length > 1) {
    b.items(result.length);
  }
}

type NativeFn = { implementation: (...a: unknown[]) => unknown; signature?: { definition: string } };
// jsonata's own $pad and $join, wrapped below with a size check before they allocate.
const [nativePad, nativeJoin] = (await jsonata('[$pad, $join]').evaluate(null)) as [NativeFn, NativeFn];

function budgetOf(self: unknown): Budget | undefined {
  return (self as { environment?: JsonataEnv }).environment?.lookup(BUDGET_BINDING) as Budget | undefined;
}

/** Installs the budget's hooks and checked built-ins on one compiled jsonata expression. */
export function guardJsonata(expr: jsonata.Expression): void {
  expr.assign(Symbol.for('jsonata.__evaluate_exit') as unknown as string, onExit);
  expr.registerFunction(
    'pad',
    function (this: unknown, str: unknown, width: unknown, char: unknown) {
      const b = budgetOf(this);
      if (b && typeof width === 'number' && Math.abs(width) > b.limits.maxString) {
        throw new BudgetExceeded('string', `$pad to ${Math.abs(width)} characters (limit ${b.limits.maxString})`);
      }
      return nativePad.implementation.call(this, str, width, char);
    },
    nativePad.signature!.definition,
  );
  expr.registerFunction(
    'join',
    function (this: unknown, strs: unknown, sep: unknown) {
      const b = budgetOf(this);
      if (b && Array.isArray(strs)) {
        let n = typeof sep === 'string' ? sep.length * strs.length : 0;
        for (const s of strs) n += typeof s === 'string' ? s.length : 0;
        if (n > b.limits.maxString) throw new BudgetExceeded('string', `$join to ${n} characters (limit ${b.limits.maxString})`);
      }
      return nativeJoin.implementation.call(this, strs, sep);
    },
    nativeJoin.signature!.definition,
  );
}
