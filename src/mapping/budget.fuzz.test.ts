// Fuzz (fast-check) of mapping specs against the budget: random expressions — hostile ones
// included: recursion, huge ranges and pads, string doubling, nested filters, regexes RE2 refuses —
// in random specs, on random input. 0 hangs (each run's CPU time is bounded), 0 crashes: every
// load error and every rejection is a SynclineError with a code and a reason.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SynclineError } from '../core/errors.js';
import { compileExpression, compileMapping, createLookupTable, type MappingSpec } from './index.js';

const lookups = { codes: createLookupTable({ name: 'codes', entries: { A: 'alpha', B: 'beta' } }) };

const name = fc.constantFrom('a', 'b', 'items', 'notes', 'n', 'sku', 'price', 'qty');
const path = fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => p.join('.'));
const literal = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }).map(String),
  fc.constantFrom('2e8', '1e9', '0', '-1', '0.5', 'true', 'null'),
  fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
);
const regex = fc.constantFrom('/^(a+)+$/', '/(a|aa)*b/', '/[0-9]+/i', '/\\s+/', '/(a)\\1/', '/a(?=b)/', '/(?<!x)y/', '/x*/', '/\\u00e9/m');

const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    path,
    literal,
    fc.constantFrom('$', '$root', '$options.x', '$index', '$$'),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '&', '=', '!=', '<', 'and', 'or', 'in'), tie('e')).map(([l, op, r]) => `(${l} ${op} ${r})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, t, f]) => `(${c} ? ${t} : ${f})`),
    fc.tuple(path, tie('e')).map(([p, c]) => `${p}[${c}]`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `[${a}, ${b}]`),
    fc.tuple(fc.constantFrom('1', '0', '-5'), fc.constantFrom('10', '1e5', '1e7', '1e9', '$count(items)')).map(([a, b]) => `[${a}..${b}]`),
    fc.tuple(fc.constantFrom('$string', '$number', '$uppercase', '$length', '$count', '$sum', '$exists', '$not', '$trim', '$keys', '$reverse', '$sort', '$distinct'), tie('e')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(fc.constantFrom('$pad', '$substring', '$join', '$split', '$contains', '$dadd', '$dmul', '$coalesce', '$truncate'), tie('e'), tie('e')).map(([f, a, b]) => `${f}(${a}, ${b})`),
    fc.tuple(fc.constantFrom('$match', '$replace', '$split', '$contains'), tie('e'), regex).map(([f, a, r]) => (f === '$replace' ? `${f}(${a}, ${r}, "-")` : `${f}(${a}, ${r})`)),
    fc.tuple(tie('e'), tie('e')).map(([l, b]) => `$map(${l}, function($v, $i) { ${b} })`),
    fc.tuple(tie('e'), tie('e')).map(([l, b]) => `$reduce(${l}, function($a, $b) { $a & ${b} }, "")`),
    tie('e').map((b) => `$filter([1..1000], function($v) { ${b} })`),
    fc.constantFrom(
      '($f := function($n){ 1 + $f($n + 1) }; $f(0))',
      '($f := function($n){ $f($n + 1) }; $f(0))',
      '($f := function($s){ $f($s & $s) }; $f("ab"))',
      '$reduce([1..30], function($a, $b){ $a & $a }, "xy")',
      "$table('codes', sku)",
      '$sum([1..1e6])',
      'items[$count($root.items[$count($root.items) > 0]) > 0]',
    ),
  ),
})).e;

const field: fc.Arbitrary<unknown> = fc.oneof(
  expr,
  fc.record({ expr, required: fc.boolean() }),
  fc.record({ each: expr, fields: fc.dictionary(fc.constantFrom('X', 'Y'), expr, { maxKeys: 2 }) }),
  fc.record({ expr, when: expr, default: literal }),
);
const spec = fc.record({
  fields: fc.dictionary(fc.constantFrom('A', 'B', 'C', 'D'), field, { minKeys: 1, maxKeys: 4 }),
  let: fc.option(fc.dictionary(fc.constantFrom('x', 'y'), expr, { maxKeys: 2 }), { nil: undefined }),
});
const input = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ notes: fc.constantFrom('a'.repeat(40) + '!', 'x', ''), items: fc.array(fc.record({ sku: fc.constantFrom('A', 'B', 'C'), price: fc.double(), qty: fc.integer() }), { maxLength: 50 }), n: fc.integer() }),
);

function expectClassified(e: unknown, codes: string[]): void {
  expect(e, String(e)).toBeInstanceOf(SynclineError);
  const err = e as SynclineError;
  expect(codes).toContain(err.code);
  expect(err.kind).toBe('user');
  expect(err.message.length).toBeGreaterThan(10);
}

describe('budget fuzz', () => {
  it('random specs on random input: 0 hangs, 0 crashes, every failure a SynclineError with a reason', async () => {
    let worstCpuMs = 0;
    const seen = { loaded: 0, refused: 0, ran: 0, over: 0 };
    await fc.assert(
      fc.asyncProperty(spec, fc.array(input, { minLength: 1, maxLength: 3 }), async (s, inputs) => {
        let m;
        try {
          m = compileMapping({ id: 'fuzz', version: 1, ...s } as MappingSpec, { lookups });
          seen.loaded++;
        } catch (e) {
          seen.refused++;
          expectClassified(e, ['MAPPING_SYNTAX']);
          return;
        }
        for (const i of inputs) {
          const c0 = process.cpuUsage();
          try {
            const r = await m.run(i);
            expect(Array.isArray(r.errors)).toBe(true);
            for (const issue of r.errors) expect(issue.message.length).toBeGreaterThan(0);
            seen.ran++;
          } catch (e) {
            seen.over++;
            expectClassified(e, ['MAPPING_BUDGET_EXCEEDED']);
            expect((e as SynclineError).details).toMatchObject({ mapping: 'fuzz', expression: expect.any(String), limit: expect.any(String) });
          }
          const c = process.cpuUsage(c0);
          worstCpuMs = Math.max(worstCpuMs, (c.user + c.system) / 1000);
        }
      }),
      { numRuns: 250 },
    );
    // The budget is 50 ms of CPU per record; the slack is the unwinding of a deep jsonata stack.
    expect(worstCpuMs).toBeLessThan(500);
    expect(seen.over).toBeGreaterThan(0);
    expect(seen.ran).toBeGreaterThan(0);
    console.log(`budget fuzz: ${JSON.stringify(seen)}, worst run ${worstCpuMs.toFixed(1)} ms CPU`);
  }, 300_000);

  it('random flow expressions: the same guarantees through compileExpression', async () => {
    await fc.assert(
      fc.asyncProperty(expr, input, async (text, i) => {
        let f;
        try {
          f = compileExpression(text, { name: 'flow fuzz when', lookups });
        } catch (e) {
          expectClassified(e, ['MAPPING_SYNTAX']);
          return;
        }
        await f(i, { options: { x: 1 } }).catch((e: unknown) => expectClassified(e, ['MAPPING_BUDGET_EXCEEDED', 'MAPPING_EXPRESSION_FAILED']));
      }),
      { numRuns: 300 },
    );
  }, 300_000);
});
