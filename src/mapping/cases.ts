// Data-only tests beside each template (`*.cases.yaml`, after Benthos' `*_test.yaml`): an analyst
// adds a case — input and expected output, or the expected validation errors — without TypeScript.
//
//   mapping: order-to-oe-order.yaml       # the spec, relative to this file
//   now: 2026-11-22T12:00:00Z             # fixed "now" for every case
//   cases:
//     - name: guest order, one line
//       input: {...}                      # or `from: <case name>` plus `set: {path: value}` / `unset: [path]`
//       options: {webCustomer: WEB}       # per-case option overrides
//       expect:
//         output: {...}                   # exact; or outputIncludes: {...} (a subset)
//         errors: [{path, message}]       # every error, message matched as a substring; omitted = none
//         warnings: [{path, message}]     # warnings that must be present
//         rates: [{from, to, rate, effective}]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type SynclineError, userError } from '../core/errors.js';
import { loadMapping, parseWithPositions } from './load.js';
import type { CompiledMapping, MappingIssue, MappingResult } from './types.js';

export interface CaseSpec {
  name: string;
  input?: unknown;
  from?: string;
  set?: Record<string, unknown>;
  unset?: string[];
  options?: Record<string, unknown>;
  now?: string;
  expect: {
    output?: unknown;
    outputIncludes?: unknown;
    errors?: Array<{ path?: string; message?: string }>;
    warnings?: Array<{ path?: string; message?: string }>;
    rates?: unknown[];
  };
}

export interface CaseFile {
  mapping: string;
  now?: string;
  options?: Record<string, unknown>;
  cases: CaseSpec[];
}

export interface CaseResult {
  name: string;
  ok: boolean;
  /** Human-readable differences, one per line ("output.OrderDetails[1].Item: expected …, got …"). */
  diff: string[];
  result?: MappingResult;
}

export interface CaseFileResult {
  file: string;
  mapping?: { id: string; version: number; compiled: number; interpreted: number; fallbacks: CompiledMapping['fallbacks'] };
  cases: CaseResult[];
  ok: boolean;
}

const show = (v: unknown) => (v === undefined ? '(nothing)' : JSON.stringify(v));

/** Deep comparison; `subset` lets expected objects name only some keys. */
export function diffValues(expected: unknown, actual: unknown, at: string, subset: boolean, out: string[]): void {
  if (expected === actual) return;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return void out.push(`${at}: expected a list ${show(expected)}, got ${show(actual)}`);
    if (expected.length !== actual.length) out.push(`${at}: expected ${expected.length} item(s), got ${actual.length}`);
    for (let i = 0; i < Math.min(expected.length, actual.length); i++) diffValues(expected[i], actual[i], `${at}[${i}]`, subset, out);
    return;
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return void out.push(`${at}: expected ${show(expected)}, got ${show(actual)}`);
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const k of Object.keys(e)) diffValues(e[k], a[k], at ? `${at}.${k}` : k, subset, out);
    if (!subset) for (const k of Object.keys(a)) if (!(k in e)) out.push(`${at ? `${at}.${k}` : k}: not expected, got ${show(a[k])}`);
    return;
  }
  out.push(`${at}: expected ${show(expected)}, got ${show(actual)}`);
}

function issuesDiff(kind: 'errors' | 'warnings', expected: Array<{ path?: string; message?: string }> | undefined, actual: MappingIssue[], exact: boolean, out: string[]) {
  const exp = expected ?? [];
  const unmatched = [...actual];
  for (const e of exp) {
    const i = unmatched.findIndex((a) => (e.path === undefined || a.path === e.path) && (e.message === undefined || a.message.includes(e.message)));
    if (i < 0) out.push(`${kind}: expected ${e.path ?? '*'}: "${e.message ?? '*'}", not reported`);
    else unmatched.splice(i, 1);
  }
  if (exact) for (const a of unmatched) out.push(`${kind}: unexpected ${a.path}: ${a.message}`);
}

// Path syntax for `set`/`unset`: a.b[2].c
function parsePath(p: string): Array<string | number> {
  const parts: Array<string | number> = [];
  for (const m of p.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return parts;
}
function setPath(obj: unknown, p: string, value: unknown, remove: boolean): void {
  const parts = parsePath(p);
  let cur = obj as Record<string | number, unknown>;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    if (cur[k] === undefined || cur[k] === null || typeof cur[k] !== 'object') cur[k] = typeof parts[i + 1] === 'number' ? [] : {};
    cur = cur[k] as Record<string | number, unknown>;
  }
  const last = parts[parts.length - 1]!;
  if (remove) {
    if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
    else delete cur[last];
  } else cur[last] = value;
}

function resolveInput(c: CaseSpec, byName: Map<string, CaseSpec>, seen = new Set<string>()): unknown {
  if (c.from !== undefined) {
    const base = byName.get(c.from);
    if (!base || seen.has(c.from)) throw userError('MAPPING_SYNTAX', `case "${c.name}": from "${c.from}" names no earlier case (or loops)`, { details: { case: c.name } });
    seen.add(c.name);
    const input = structuredClone(resolveInput(base, byName, seen));
    for (const [p, v] of Object.entries(c.set ?? {})) setPath(input, p, v, false);
    for (const p of c.unset ?? []) setPath(input, p, undefined, true);
    return input;
  }
  const input = structuredClone(c.input);
  for (const [p, v] of Object.entries(c.set ?? {})) setPath(input, p, v, false);
  for (const p of c.unset ?? []) setPath(input, p, undefined, true);
  return input;
}

export async function runCaseFile(file: string, opts: { mapping?: CompiledMapping } = {}): Promise<CaseFileResult> {
  const abs = path.resolve(file);
  const { value } = parseWithPositions(await readFile(abs, 'utf8'), abs);
  const spec = value as CaseFile;
  if (!spec || typeof spec !== 'object' || !Array.isArray(spec.cases) || typeof spec.mapping !== 'string') {
    throw userError('MAPPING_SYNTAX', `${abs}: a cases file needs "mapping" (the spec file) and a "cases" list`, { details: { file: abs } });
  }
  const mapping = opts.mapping ?? (await loadMapping(path.resolve(path.dirname(abs), spec.mapping)));
  const byName = new Map<string, CaseSpec>();
  const results: CaseResult[] = [];
  for (const c of spec.cases) {
    if (!c || typeof c.name !== 'string' || !c.expect) throw userError('MAPPING_SYNTAX', `${abs}: every case needs a name and an expect block`, { details: { file: abs, case: c?.name } });
    byName.set(c.name, c);
    const diff: string[] = [];
    let result: MappingResult | undefined;
    try {
      const input = resolveInput(c, byName);
      const now = c.now ?? spec.now;
      result = await mapping.run(input, {
        ...(now ? { now: new Date(now) } : {}),
        ...(spec.options || c.options ? { options: { ...spec.options, ...c.options } } : {}),
      });
      if (c.expect.output !== undefined) diffValues(c.expect.output, result.output, 'output', false, diff);
      if (c.expect.outputIncludes !== undefined) diffValues(c.expect.outputIncludes, result.output, 'output', true, diff);
      issuesDiff('errors', c.expect.errors, result.errors, true, diff);
      if (c.expect.warnings) issuesDiff('warnings', c.expect.warnings, result.warnings, false, diff);
      if (c.expect.rates) diffValues(c.expect.rates, result.rates, 'rates', false, diff);
    } catch (e) {
      diff.push(`threw: ${(e as Error).message}`);
    }
    results.push({ name: c.name, ok: diff.length === 0, diff, ...(result ? { result } : {}) });
  }
  return {
    file: abs,
    mapping: { id: mapping.id, version: mapping.version, ...mapping.stats, fallbacks: mapping.fallbacks },
    cases: results,
    ok: results.every((r) => r.ok),
  };
}

/** A readable report; what `syncline mapping test` prints. */
export function formatCaseReport(r: CaseFileResult, cwd = process.cwd()): string {
  const lines: string[] = [];
  const rel = path.relative(cwd, r.file);
  const m = r.mapping ? ` (${r.mapping.id} v${r.mapping.version}; ${r.mapping.compiled} compiled, ${r.mapping.interpreted} via jsonata)` : '';
  lines.push(`${r.ok ? 'PASS' : 'FAIL'} ${rel}${m}`);
  for (const c of r.cases) {
    lines.push(`  ${c.ok ? '✓' : '✗'} ${c.name}`);
    for (const d of c.diff) lines.push(`      ${d}`);
  }
  return lines.join('\n');
}

/** A failed case file as one user error (MAPPING_CASE_FAILED) carrying the readable diff. */
export function caseFailure(r: CaseFileResult, cwd = process.cwd()): SynclineError {
  const failed = r.cases.filter((c) => !c.ok);
  return userError('MAPPING_CASE_FAILED', formatCaseReport(r, cwd), {
    details: { file: r.file, failed: failed.map((c) => ({ name: c.name, diff: c.diff })) },
  });
}
