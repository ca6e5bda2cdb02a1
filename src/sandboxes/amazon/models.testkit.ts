// Test kit: Amazon's official models (shared/specs/amazon-models, unchanged) loaded into ajv, to
// check sandbox answers and client requests against them. Nothing is relaxed: `strict: false` only
// lets ajv ignore Swagger's vendor keywords (x-…, example); every type, enum, required and format
// is enforced. Swagger's extra numeric formats (int32, int64, double) are checked as such.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { specsFolder } from '../shared/specs.testkit.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
export const MODELS_DIR = process.env.SYNCLINE_AMAZON_MODELS ?? specsFolder('amazon-models').dir;

const OPERATION_FILES = [
  'ordersV0.json', 'tokens_2021-03-01.json', 'feeds_2021-06-30.json', 'reports_2021-06-30.json', 'fbaInventory.json',
  'fulfillmentOutbound_2020-07-01.json', 'financesV0.json', 'listingsItems_2021-08-01.json', 'notifications.json',
];

interface Param {
  name: string;
  in: 'query' | 'path' | 'body' | 'header';
  required?: boolean;
  type?: string;
  enum?: unknown[];
  items?: { type?: string; enum?: unknown[] };
  maxItems?: number;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
  schema?: unknown;
}

export interface ModelOperation {
  file: string;
  path: string;
  method: string;
  operationId: string;
  parameters: Param[];
  responses: Record<string, { schema?: unknown; headers?: Record<string, unknown> }>;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  return ajv;
}

function rewriteRefs(x: unknown, file: string): unknown {
  if (Array.isArray(x)) return x.map((v) => rewriteRefs(v, file));
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${file}${v}` : rewriteRefs(v, file);
    return out;
  }
  return x;
}

export class Models {
  readonly ajv = newAjv();
  readonly byOperation = new Map<string, ModelOperation>();
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(dir = MODELS_DIR) {
    if (!existsSync(dir)) throw new Error(`Amazon models not found at ${dir} (set SYNCLINE_SPECS_DIR)`);
    for (const file of OPERATION_FILES) {
      const doc = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      this.ajv.addSchema({ $id: file, definitions: rewriteRefs(doc.definitions, file) });
      for (const [p, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
        const shared: Param[] = (methods.parameters ?? []) as Param[];
        for (const [m, op] of Object.entries(methods)) {
          if (!op?.operationId) continue;
          this.byOperation.set(op.operationId, { file, path: p, method: m.toUpperCase(), operationId: op.operationId, parameters: [...shared, ...(op.parameters ?? [])], responses: op.responses });
        }
      }
    }
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(schema as object);
      this.compiled.set(key, v);
    }
    return v;
  }

  /** Problems with an answer of `operationId` (empty = valid). */
  checkResponse(operationId: string, status: number, body: unknown, headers: Record<string, unknown> = {}): string[] {
    const op = this.byOperation.get(operationId);
    if (!op) return [`no model operation ${operationId}`];
    const r = op.responses[String(status)];
    if (!r) return [`${operationId}: status ${status} is not a documented response`];
    const problems: string[] = [];
    if (r.headers && 'x-amzn-RateLimit-Limit' in r.headers && headers['x-amzn-ratelimit-limit'] === undefined) problems.push(`${operationId} ${status}: x-amzn-RateLimit-Limit header missing`);
    if (r.schema) {
      const v = this.validator(`${operationId}:${status}`, rewriteRefs(r.schema, op.file));
      if (!v(body)) problems.push(...(v.errors ?? []).map((e) => `${operationId} ${status} body${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`));
    }
    return problems;
  }

  /** Problems with a request to `operationId`: unknown or missing parameters, wrong types/enums, body against its schema. */
  checkRequest(operationId: string, query: Record<string, unknown>, body: unknown): string[] {
    const op = this.byOperation.get(operationId);
    if (!op) return [`no model operation ${operationId}`];
    const problems: string[] = [];
    const declared = new Map(op.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p]));
    for (const k of Object.keys(query)) if (!declared.has(k)) problems.push(`${operationId}: undeclared query parameter ${k}`);
    for (const p of declared.values()) {
      const raw = query[p.name];
      if (raw === undefined) {
        if (p.required) problems.push(`${operationId}: required query parameter ${p.name} missing`);
        continue;
      }
      const value = Array.isArray(raw) ? raw.join(',') : String(raw);
      const check = (v: string, t: { type?: string; enum?: unknown[]; format?: string; minimum?: number; maximum?: number }, what: string) => {
        if (t.type === 'integer' && (!/^-?\d+$/.test(v) || (t.minimum !== undefined && +v < t.minimum) || (t.maximum !== undefined && +v > t.maximum))) problems.push(`${operationId}: ${what} must be an integer in range, got ${v}`);
        if (t.type === 'boolean' && v !== 'true' && v !== 'false') problems.push(`${operationId}: ${what} must be true|false, got ${v}`);
        if (t.enum && !t.enum.includes(v)) problems.push(`${operationId}: ${what} ${v} not in ${t.enum.join('|')}`);
        if (t.format === 'date-time' && (Number.isNaN(Date.parse(v)) || !/^\d{4}-\d{2}-\d{2}T/.test(v))) problems.push(`${operationId}: ${what} is not a date-time: ${v}`);
      };
      if (p.type === 'array') {
        const items = value.split(',');
        if (p.maxItems !== undefined && items.length > p.maxItems) problems.push(`${operationId}: ${p.name} has more than ${p.maxItems} items`);
        if (p.minItems !== undefined && items.length < p.minItems) problems.push(`${operationId}: ${p.name} has fewer than ${p.minItems} items`);
        for (const it of items) check(it, p.items ?? {}, p.name);
      } else check(value, p, p.name);
    }
    const bodyParam = op.parameters.find((p) => p.in === 'body');
    if (bodyParam?.schema) {
      const v = this.validator(`${operationId}:request`, rewriteRefs(bodyParam.schema, op.file));
      if (!v(body)) problems.push(...(v.errors ?? []).map((e) => `${operationId} request body${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`));
    } else if (body !== undefined && body !== null && !(typeof body === 'object' && Object.keys(body as object).length === 0)) {
      problems.push(`${operationId}: a body was sent but the operation takes none`);
    }
    return problems;
  }
}

/** Validators for the JSON Schemas in amazon-models/schemas (notifications, listings feed). Each has its own ajv: several share one $id. */
export function jsonSchemaValidator(name: string, dir = MODELS_DIR): ValidateFunction {
  // The generated notification schemas repeat the same `$id` strings in sibling subschemas; ids are
  // only names (no $ref uses them), so dropping them changes no rule.
  const schema = stripIds(JSON.parse(readFileSync(path.join(dir, 'schemas', name), 'utf8')));
  return newAjv().compile(schema as object);
}

export function schemaFiles(dir = MODELS_DIR): string[] {
  return readdirSync(path.join(dir, 'schemas'));
}

function stripIds(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripIds);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).filter(([k]) => k !== '$id').map(([k, v]) => [k, k === 'properties' || k === 'definitions' ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, stripIds(pv)])) : stripIds(v)]));
  return x;
}
