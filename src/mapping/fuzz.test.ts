// Fuzz: random JSON — and case inputs with random leaves replaced — against every shipped template
// never throws; problems come back as errors, which become one classified MAPPING_INVALID.
// Differential: the compiled path and plain jsonata-js give the same output, warnings and error paths
// for every case input and every fuzzed input.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findSpecFiles, loadMapping, mappingError, type CompiledMapping, type MappingResult } from './index.js';

const root = path.resolve(import.meta.dirname, '../../mappings');
const specs = await findSpecFiles(root);
const now = new Date('2026-11-22T12:00:00Z');

async function caseInputs(spec: string): Promise<unknown[]> {
  const text = await readFile(spec.replace(/\.yaml$/, '.cases.yaml'), 'utf8');
  const file = parse(text, { merge: true }) as { cases: Array<{ input?: unknown }> };
  return file.cases.map((c) => c.input).filter((i) => i !== undefined);
}

/** Replaces random leaves of a value with random JSON (keeps the shape mostly recognisable). */
const mutate = (base: unknown) =>
  fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.array(fc.jsonValue(), { minLength: 1, maxLength: 4 })).map(([picks, values]) => {
    const copy = structuredClone(base) as unknown;
    const leaves: Array<[Record<string, unknown> | unknown[], string | number]> = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach((x, i) => (x !== null && typeof x === 'object' ? walk(x) : leaves.push([v, i])));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) x !== null && typeof x === 'object' ? walk(x) : leaves.push([v as Record<string, unknown>, k]);
    };
    walk(copy);
    picks.forEach((p, i) => {
      if (!leaves.length) return;
      const [parent, key] = leaves[p % leaves.length]!;
      (parent as Record<string | number, unknown>)[key] = values[i % values.length];
    });
    return copy;
  });

const comparable = (r: MappingResult) => ({ output: r.output, warnings: r.warnings.map((w) => `${w.path}: ${w.message}`), errorPaths: [...new Set(r.errors.map((e) => e.path))].sort() });

async function runBoth(fast: CompiledMapping, slow: CompiledMapping, input: unknown) {
  const a = fast.sync ? fast.runSync(input, { now }) : await fast.run(input, { now });
  const b = await slow.run(input, { now });
  return [a, b] as const;
}

describe.each(specs.map((s) => [path.relative(root, s), s]))('%s', (_name, spec) => {
  it('never throws on random or mutated input, and reports problems as MAPPING_INVALID', async () => {
    const m = await loadMapping(spec);
    const bases = await caseInputs(spec);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), ...bases.map((b) => mutate(b))), async (input) => {
        const r = await m.run(input, { now });
        expect(Array.isArray(r.errors)).toBe(true);
        if (r.errors.length) {
          const e = mappingError(r, m);
          expect(e.code).toBe('MAPPING_INVALID');
          expect(e.kind).toBe('user');
        }
      }),
      { numRuns: 150 },
    );
  });

  it('compiled and jsonata-js agree on case inputs and mutated inputs', async () => {
    const fast = await loadMapping(spec);
    const slow = await loadMapping(spec, { interpretOnly: true });
    const bases = await caseInputs(spec);
    for (const input of bases) {
      const [a, b] = await runBoth(fast, slow, input);
      expect(comparable(a)).toEqual(comparable(b));
    }
    await fc.assert(
      fc.asyncProperty(fc.oneof(...bases.map((b) => mutate(b))), async (input) => {
        const [a, b] = await runBoth(fast, slow, input);
        expect(comparable(a)).toEqual(comparable(b));
      }),
      { numRuns: 60 },
    );
  });
});
