// Entity shapes of the simulated Web API models: one declaration per resource gives the property
// list (unknown properties are rejected, as the OData reader rejects them on a closed type), the
// property types (wrong types are rejected like Json.NET rejects them), the defaults a GET returns
// for every property, and the types $filter compares with.
import { invalidPayload } from './errors.js';
import type { FieldType, Row } from './odata.js';

export type FieldSpec =
  | { t: 'string'; max?: number }
  | { t: 'number' }
  | { t: 'boolean' }
  | { t: 'date' }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'collection'; of: Schema };

export interface Schema {
  /** The EDM type name shown in error messages. */
  type: string;
  fields: Record<string, FieldSpec>;
  /** Generic master data modelled from the official samples only: properties are not checked. */
  open?: boolean;
}

export const S = (max?: number): FieldSpec => (max === undefined ? { t: 'string' } : { t: 'string', max });
export const N: FieldSpec = { t: 'number' };
export const B: FieldSpec = { t: 'boolean' };
export const D: FieldSpec = { t: 'date' };
export const E = (...values: string[]): FieldSpec => ({ t: 'enum', values });
export const C = (of: Schema): FieldSpec => ({ t: 'collection', of });

export const YES_NO = E('No', 'Yes');

/** Properties every model carries (go-sage300): how a detail is applied, its ETag and warnings. */
const COMMON = new Set(['UpdateOperation', 'ETag', 'Warnings', 'IsDeleted', '@odata.etag']);
const UPDATE_OPERATIONS = ['Unspecified', 'Insert', 'Update', 'Delete'];

export function model(module: string, name: string, fields: Record<string, FieldSpec>, open = false): Schema {
  return { type: `Sage.CA.SBS.ERP.Sage300.${module}.WebApi.Models.${name}`, fields, ...(open ? { open } : {}) };
}

export function fieldTypes(schema: Schema): Map<string, FieldType> {
  const m = new Map<string, FieldType>();
  for (const [k, f] of Object.entries(schema.fields)) m.set(k, f.t === 'enum' ? 'string' : f.t);
  return m;
}

const defaultCache = new WeakMap<Schema, () => Row>();

/**
 * A collection nobody sent: one frozen empty list shared by every record. The view code replaces a
 * record's collections, never pushes into them; an empty array per order line was 1.3 MB of a
 * 10,000-order demo (issue 12).
 */
const NONE = Object.freeze([]);

/**
 * A fresh record with every property at its default. Built by a generated object literal: copying
 * an 80-property prototype with spread was a fifth of an order create's time.
 */
export function defaults(schema: Schema): Row {
  let make = defaultCache.get(schema);
  if (!make) {
    const proto = buildDefaults(schema);
    const body = Object.entries(proto).map(([k, v]) => `${JSON.stringify(k)}: ${Array.isArray(v) ? 'NONE' : JSON.stringify(v)}`).join(',');
    const build = new Function('NONE', `return () => ({${body}});`) as (none: readonly never[]) => () => Row;
    make = build(NONE);
    defaultCache.set(schema, make);
  }
  return make();
}

function buildDefaults(schema: Schema): Row {
  const row: Row = {};
  for (const [k, f] of Object.entries(schema.fields)) {
    row[k] = f.t === 'string' ? '' : f.t === 'number' ? 0 : f.t === 'boolean' ? false : f.t === 'date' ? null : f.t === 'enum' ? f.values[0] : [];
  }
  return row;
}

/** Dates come back as "2020-01-15T00:00:00Z"; POST accepts "2020-01-15" too. */
export function normDate(v: string): string | undefined {
  // Records of a day carry the same date: one string for it, not one per record (issue 12).
  if (v === lastDate.in) return lastDate.out;
  const out = parseDate(v);
  if (out !== undefined) lastDate = { in: v, out };
  return out;
}
let lastDate: { in?: string; out: string } = { out: '' };

function parseDate(v: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
  if (!m) return undefined;
  const ms = Date.parse(m[4] ? (m[7] ? v : `${v}Z`) : `${v}T00:00:00Z`);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * Checks a request body against the model and returns it normalised (dates ISO, numeric strings as
 * numbers, enum names in their canonical case). Properties keep their order: the real API applies
 * them to the view in payload order.
 */
export function readPayload(schema: Schema, body: unknown, path = ''): Row {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidPayload(path ? `Error converting value to type '${schema.type}'. Path '${path}'.` : 'The request payload is empty or is not a JSON object.');
  }
  const out: Row = {};
  for (const [k, v] of Object.entries(body as Row)) {
    const at = path ? `${path}.${k}` : k;
    const spec = schema.fields[k];
    if (!spec) {
      if (COMMON.has(k)) {
        if (k === 'UpdateOperation') {
          const op = typeof v === 'string' ? UPDATE_OPERATIONS.find((o) => o.toLowerCase() === v.toLowerCase()) : undefined;
          if (!op) throw invalidPayload(`Error converting value ${JSON.stringify(v)} to type 'UpdateOperation'. Path '${at}'.`);
          out[k] = op;
        }
        continue;
      }
      if (schema.open) { out[k] = v; continue; }
      throw invalidPayload(`The property '${k}' does not exist on type '${schema.type}'. Make sure to only use property names that are defined by the type.`);
    }
    if (v === null) { out[k] = null; continue; }
    out[k] = readValue(spec, v, at);
  }
  return out;
}

function bad(v: unknown, type: string, at: string): never {
  throw invalidPayload(`Error converting value ${JSON.stringify(v)} to type '${type}'. Path '${at}'.`);
}

function readValue(spec: FieldSpec, v: unknown, at: string): unknown {
  switch (spec.t) {
    case 'string':
      if (typeof v === 'string') {
        if (spec.max !== undefined && v.length > spec.max) throw invalidPayload(`The value of '${at}' is longer than the ${spec.max} characters the field allows.`);
        return v;
      }
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      return bad(v, 'System.String', at);
    case 'number':
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
      return bad(v, 'System.Decimal', at);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      return bad(v, 'System.Boolean', at);
    case 'date': {
      const d = typeof v === 'string' ? normDate(v) : undefined;
      return d ?? bad(v, 'System.DateTime', at);
    }
    case 'enum': {
      if (typeof v === 'string') {
        const hit = spec.values.find((e) => e.toLowerCase() === v.toLowerCase());
        if (hit) return hit;
      }
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < spec.values.length) return spec.values[v];
      return bad(v, `enum (${spec.values.join(', ')})`, at);
    }
    case 'collection':
      if (!Array.isArray(v)) return bad(v, `System.Collections.Generic.IList<${spec.of.type}>`, at);
      return readList(spec.of, v, at);
  }
}

function readList(of: Schema, items: unknown[], at: string): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < items.length; i++) out.push(readPayload(of, items[i], `${at}[${i}]`));
  return out;
}
