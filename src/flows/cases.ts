// Flow test cases as data, beside each flow (<flow>.cases.yaml, Benthos-style): an input event, the
// stubbed results of the operations it calls, and what is expected — the calls in order (inputs
// matched as subsets), the run's status or error code, and step outputs. The stubs still pass every
// input through the real operation's schema, so a case also proves the flow and the connector agree.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';
import { openStore } from '../core/db/database.js';
import { FlowStop, type InboxEvent, type StepContext } from '../core/flow.js';
import { SynclineError, toSynclineError, userError } from '../core/errors.js';
import { XrefStore, type Ref } from '../core/xref.js';
import { connectorOperations } from '../connectors/index.js';
import { compileFlow } from './compile.js';
import { loadFlowFile, type FlowDocument } from './document.js';
import { hashOf } from './steps/diff.js';

export interface FlowCase {
  name: string;
  /** `payloadFile` and `payload` together: the file's payload with `payload`'s top-level fields over it. */
  event: { entity?: string; id: string; version?: string; payload?: unknown; payloadFile?: string };
  options?: Record<string, unknown>;
  /** Links that exist before the run: [{ from: {system, entity, id}, to: {system, entity, id} }]. */
  xref?: Array<{ from: Ref; to: Ref }>;
  /** Snapshots that exist before the run (what `diff` steps last synced): [{ scope, key, value }]. */
  snapshots?: Array<{ scope: string; key: string; value: unknown }>;
  /** role.operationId → results of successive calls (the last repeats); `{ error: CODE, kind?, message? }` throws. */
  operations?: Record<string, unknown[]>;
  expect: {
    status?: 'succeeded' | 'skipped' | 'failed';
    error?: string;
    calls?: Array<{ operation: string; input?: unknown }>;
    outputs?: Record<string, unknown>;
    note?: string;
  };
}

export interface CaseResult {
  name: string;
  ok: boolean;
  problems: string[];
}

export interface CaseFileResult {
  file: string;
  flow: string;
  cases: CaseResult[];
}

/** `expected` is contained in `actual` (objects: every key matches; arrays: same length, element-wise). */
export function contains(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return isDeepStrictEqual(actual, expected) || (typeof expected === 'number' && typeof actual === 'string' && String(expected) === actual);
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => contains(actual[i], e));
  if (actual === null || typeof actual !== 'object') return false;
  return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v));
}

export async function runFlowCases(casesFile: string, flowFile?: string): Promise<CaseFileResult> {
  const data = YAML.parse(readFileSync(casesFile, 'utf8')) as { flow?: string; cases?: FlowCase[] };
  if (!data || !Array.isArray(data.cases)) throw userError('FLOW_INVALID', `${casesFile}: a cases file has a \`cases:\` list`);
  const doc = loadFlowFile(flowFile ?? casesFile.replace(/\.cases\.ya?ml$/, '.yaml'));
  const results: CaseResult[] = [];
  for (const c of data.cases) results.push(await runCase(doc, c, path.dirname(casesFile)));
  return { file: casesFile, flow: doc.id, cases: results };
}

async function runCase(doc: FlowDocument, c: FlowCase, dir: string): Promise<CaseResult> {
  const problems: string[] = [];
  const store = await openStore({ dialect: 'sqlite', file: ':memory:' });
  try {
    const xref = new XrefStore(store.db);
    for (const l of c.xref ?? []) await xref.link(l.from, l.to);
    for (const snap of c.snapshots ?? []) {
      await store.db.insertInto('snapshots').values({ scope: snap.scope, key: snap.key, hash: hashOf(snap.value), updated_at: 0 }).execute();
    }
    const calls: Array<{ operation: string; input: unknown }> = [];
    const used: Record<string, number> = {};
    const bindings = Object.fromEntries(Object.entries(doc.roles).map(([role, system]) => [role, { id: `${role}-conn`, system, client: undefined }]));
    const flow = await compileFlow({
      doc,
      bindings,
      options: c.options,
      db: store.db,
      call: async (ref, input, system) => {
        const op = connectorOperations[system]?.[ref.split('.')[1]!];
        calls.push({ operation: ref, input });
        const checked = (op as unknown as { input?: { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } } })?.input?.safeParse(input);
        if (checked && !checked.success) {
          problems.push(`${ref}: the flow's input fails the operation's schema: ${checked.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        }
        const results = c.operations?.[ref];
        if (!results || results.length === 0) throw userError('FLOW_INVALID', `case "${c.name}": no stubbed result for ${ref}`);
        const i = used[ref] = (used[ref] ?? -1) + 1;
        const r = results[Math.min(i, results.length - 1)] as { error?: string; kind?: string; message?: string };
        if (r && typeof r === 'object' && typeof r.error === 'string') {
          throw new SynclineError(r.error, r.kind === 'transient' ? 'transient' : 'user', r.message ?? r.error);
        }
        return structuredClone(r);
      },
    });
    // With both, `payload`'s top-level fields replace the file's (a variant of a shared sample).
    const fromFile = c.event.payloadFile ? JSON.parse(readFileSync(path.resolve(dir, c.event.payloadFile), 'utf8')) as unknown : undefined;
    const payload = fromFile === undefined ? c.event.payload
      : c.event.payload && typeof c.event.payload === 'object' && typeof fromFile === 'object' ? { ...fromFile, ...c.event.payload } : fromFile;
    const t = doc.trigger;
    const event: InboxEvent = {
      eventId: 1,
      system: t.kind === 'schedule' ? 'syncline' : doc.roles[t.role]!,
      entity: c.event.entity ?? (t.kind === 'schedule' ? 'tick' : t.entity),
      id: c.event.id,
      version: c.event.version ?? '1',
      payload,
      connection: flow.binding?.connection,
      flowVersion: doc.version,
    };
    const notes: string[] = [];
    const ctx: StepContext<unknown> = {
      event, deps: undefined, xref, mayHaveRun: false, attempt: 1, commitWith: () => {}, link: () => {},
      outputs: {}, checkpoint: {}, emit: () => {}, note: (t) => notes.push(t),
    };
    let status: 'succeeded' | 'skipped' | 'failed' = 'succeeded';
    let error: string | undefined;
    let input: unknown = payload;
    for (const step of flow.steps) {
      try {
        input = ctx.outputs[step.name] = await step.run(input, ctx);
      } catch (e) {
        if (e instanceof FlowStop) {
          status = 'skipped';
          notes.push(e.reason);
        } else {
          status = 'failed';
          const err = toSynclineError(e);
          error = err.code;
          if (!c.expect.error) problems.push(`failed at ${step.name}: ${err.code}: ${err.message}`);
        }
        break;
      }
    }
    const x = c.expect;
    if (x.status && x.status !== status) problems.push(`status: expected ${x.status}, got ${status}`);
    if (x.error && x.error !== error) problems.push(`error: expected ${x.error}, got ${error ?? 'none'}`);
    if (x.note && !notes.some((n) => n.includes(x.note!))) problems.push(`note: expected one containing "${x.note}", got ${JSON.stringify(notes)}`);
    if (x.calls) {
      const got = calls.map((k) => k.operation);
      const want = x.calls.map((k) => k.operation);
      if (!isDeepStrictEqual(got, want)) problems.push(`calls: expected ${want.join(' → ') || '(none)'}, got ${got.join(' → ') || '(none)'}`);
      else x.calls.forEach((k, i) => {
        if (k.input !== undefined && !contains(calls[i]!.input, k.input)) problems.push(`calls[${i}] ${k.operation} input:\n      expected ⊆ ${JSON.stringify(k.input)}\n      actual    ${JSON.stringify(calls[i]!.input)}`);
      });
    }
    for (const [id, want] of Object.entries(x.outputs ?? {})) {
      if (!contains(ctx.outputs[id], want)) problems.push(`outputs.${id}:\n      expected ⊆ ${JSON.stringify(want)}\n      actual    ${JSON.stringify(ctx.outputs[id])}`);
    }
  } catch (e) {
    problems.push(toSynclineError(e).message);
  } finally {
    await store.close();
  }
  return { name: c.name, ok: problems.length === 0, problems };
}

export function formatFlowCaseReport(r: CaseFileResult): string {
  const lines = [`${r.cases.every((c) => c.ok) ? 'PASS' : 'FAIL'} ${path.relative(process.cwd(), r.file)} (${r.flow})`];
  for (const c of r.cases) {
    lines.push(`  ${c.ok ? '✓' : '✗'} ${c.name}`);
    for (const p of c.problems) lines.push(`      ${p}`);
  }
  return lines.join('\n');
}
