// A flow document (decision 0005): parsed from YAML/JSON, checked against flows/flow.schema.json,
// then against what exists — roles, connector operations and pollers, mappings, step ids — with
// every problem reported at once, each with its path.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import YAML from 'yaml';
import { userError } from '../core/errors.js';
import { connectorOperations, connectorTriggers } from '../connectors/index.js';

export const FLOWS_DIR = path.resolve(import.meta.dirname, '../../flows');
export const MAPPINGS_DIR = path.resolve(import.meta.dirname, '../../mappings');

export type System = 'xcart' | 'sage300' | 'amazon' | 'sagex3';

export type Trigger =
  | { kind: 'poller'; role: string; poller: string; entity: string; intervalMs?: number; options?: Record<string, unknown> }
  | { kind: 'webhook' | 'event'; role: string; entity: string }
  | { kind: 'schedule'; cron?: string; everyMs?: number; entity?: string };

interface StepBase {
  id: string;
  title?: string;
  if?: string;
  /** After the step, over the scope plus `output`: a non-empty text is recorded with the run. */
  note?: string;
}
export interface FetchStep extends StepBase { kind: 'fetch'; operation: string; input?: string }
export interface LookupStep extends StepBase {
  kind: 'lookup';
  key: string;
  source: { entity: string };
  target: { role: string; entity: string };
  find?: { operation: string; input?: string; id: string };
  create?: { mapping?: string; input?: string; operation: string; operationInput?: string; id: string; duplicate?: string };
  otherwise?: string;
}
export interface MapStep extends StepBase { kind: 'map'; mapping: string; input?: string; options?: string }
export interface ValidateStep extends StepBase { kind: 'validate'; of: string }
export interface DeliverStep extends StepBase {
  kind: 'deliver';
  operation: string;
  input?: string;
  target: { role: string; entity: string };
  source?: { entity?: string; key?: string };
  targetId?: string;
  once?: { reference: string; find: string; findInput?: string; foundId: string; settleMs?: number };
  update?: { operation: string; input?: string; current?: { operation: string; input?: string }; if?: string };
}
export interface WhenStep extends StepBase { kind: 'when'; condition: string; reason?: string }
export interface EachStep extends StepBase { kind: 'each'; items: string; key: string; steps: FlowStepDoc[] }
export interface EmitStep extends StepBase { kind: 'emit'; entity: string; items: string; key: string; version: string; payload?: string }
export interface DiffStep extends StepBase { kind: 'diff'; snapshot: string; key: string; value: string; scope?: string }
/** Order risk and anomalies (src/intelligence): at or above `threshold` the order is held for review. */
export interface HoldStep extends StepBase { kind: 'hold'; order: string; threshold?: string; anomalies?: 'hold' | 'pass' }

/** A settlement's month parts → journal entries by `mapping`, posted to the `ledger` role whole and once (src/settlement). */
export interface SettlementStep extends StepBase { kind: 'settlement'; totals: string; mapping: string; options?: string; ledger: string }

export type FlowStepDoc = FetchStep | LookupStep | MapStep | ValidateStep | DeliverStep | WhenStep | EachStep | EmitStep | DiffStep | HoldStep | SettlementStep;

export interface FlowDocument {
  id: string;
  version: number;
  title?: string;
  description?: string;
  roles: Record<string, System>;
  trigger: Trigger;
  orderingKey?: string;
  retry?: { maxAttempts?: number };
  options?: Record<string, unknown>;
  steps: FlowStepDoc[];
}

let validator: ReturnType<Ajv['compile']> | undefined;
function schemaValidator() {
  if (!validator) {
    const schema = JSON.parse(readFileSync(path.join(FLOWS_DIR, 'flow.schema.json'), 'utf8')) as object;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}

function describeAjv(e: ErrorObject): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(root)';
  if (e.keyword === 'additionalProperties') return `${where}: unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'enum') return `${where}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `${where}: ${e.message ?? e.keyword}`;
}

/** Parses YAML or JSON text into a checked flow document; FLOW_INVALID lists every problem. */
export function parseFlowDocument(input: string | unknown, source = 'flow'): FlowDocument {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = YAML.parse(input);
    } catch (e) {
      throw userError('FLOW_INVALID', `${source} does not parse: ${(e as Error).message}`, { details: { problems: [(e as Error).message] } });
    }
  }
  const validate = schemaValidator();
  if (!validate(data)) {
    // The per-kind `if/then` branches report the same problem twice (once as "must match then"): keep the specific ones.
    const problems = [...new Set((validate.errors ?? []).filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf').map(describeAjv))];
    throw userError('FLOW_INVALID', `${source} is not a valid flow: ${problems.join('; ')}`, { details: { problems } });
  }
  const doc = data as FlowDocument;
  const problems = checkReferences(doc);
  if (problems.length) throw userError('FLOW_INVALID', `${source}: ${problems.join('; ')}`, { details: { problems } });
  return doc;
}

/** Roles, operations, pollers and step ids the document names must exist; each problem with its path. */
function checkReferences(doc: FlowDocument): string[] {
  const problems: string[] = [];
  const role = (r: string, where: string) => {
    if (!doc.roles[r]) problems.push(`${where}: role "${r}" is not declared in roles (${Object.keys(doc.roles).join(', ')})`);
    return doc.roles[r];
  };
  const op = (ref: string, where: string) => {
    const [r, id] = ref.split('.') as [string, string];
    const system = role(r, where);
    if (system && !connectorOperations[system]?.[id]) {
      problems.push(`${where}: ${system} has no operation "${id}" (known: ${Object.keys(connectorOperations[system] ?? {}).join(', ')})`);
    }
  };
  const t = doc.trigger;
  if (t.kind !== 'schedule') {
    const system = role(t.role, 'trigger.role');
    if (t.kind === 'poller' && system && !connectorTriggers[system]?.[t.poller]) {
      problems.push(`trigger.poller: ${system} has no poller "${t.poller}" (known: ${Object.keys(connectorTriggers[system] ?? {}).join(', ')})`);
    }
  } else if (!t.cron === !t.everyMs) problems.push('trigger: a schedule needs exactly one of cron and everyMs');
  const seen = new Set<string>();
  const walk = (steps: FlowStepDoc[], at: string) => {
    steps.forEach((s, i) => {
      const where = `${at}[${i}] (${s.id})`;
      if (seen.has(s.id)) problems.push(`${where}: step id "${s.id}" is used twice`);
      seen.add(s.id);
      switch (s.kind) {
        case 'fetch':
          op(s.operation, `${where}.operation`);
          break;
        case 'lookup':
          role(s.target.role, `${where}.target.role`);
          if (s.find) op(s.find.operation, `${where}.find.operation`);
          if (s.create) op(s.create.operation, `${where}.create.operation`);
          if (!s.find && !s.create && !s.otherwise) problems.push(`${where}: a lookup needs find, create or otherwise`);
          break;
        case 'deliver':
          op(s.operation, `${where}.operation`);
          role(s.target.role, `${where}.target.role`);
          if (s.once) op(s.once.find, `${where}.once.find`);
          if (s.update) op(s.update.operation, `${where}.update.operation`);
          if (s.update?.current) op(s.update.current.operation, `${where}.update.current.operation`);
          break;
        case 'validate':
          if (!seen.has(s.of)) problems.push(`${where}.of: "${s.of}" is not an earlier step`);
          break;
        case 'each':
          walk(s.steps, `${where}.steps`);
          break;
        case 'settlement':
          // The ledger's entries are X3 journal entries, found and saved through its query and save.
          if (role(s.ledger, `${where}.ledger`) && doc.roles[s.ledger] !== 'sagex3') problems.push(`${where}.ledger: role "${s.ledger}" is ${doc.roles[s.ledger]}; settlements post to a sagex3 ledger`);
          break;
        default:
          break;
      }
    });
  };
  walk(doc.steps, 'steps');
  return problems;
}

export function loadFlowFile(file: string): FlowDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw userError('FLOW_INVALID', `cannot read ${file}: ${(e as Error).message}`);
  }
  return parseFlowDocument(text, path.relative(process.cwd(), file) || file);
}

/** Same flow ⇔ same hash: the canonical JSON of the document without its version. */
export function flowHash(doc: FlowDocument): string {
  const { version: _v, ...rest } = doc;
  return createHash('sha256').update(canonical(rest)).digest('hex');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}
