// Validation of a mapped record against its target entity's schema (mappings/targets/**.yaml) before
// anything reaches the ERP: required fields, types, lengths, allowed values. Every problem is
// collected with its field path, so the dead letter shows them all at once.
import { closest as closestWord, distance } from 'fastest-levenshtein';
import { userError } from '../core/errors.js';
import type { MappingIssue } from './types.js';
import { toDecimal } from './transforms/decimal.js';

export type FieldType = 'string' | 'integer' | 'number' | 'decimal' | 'boolean' | 'date' | 'yyyymmdd' | 'object' | 'array' | 'any';

export interface TargetField {
  type: FieldType;
  required?: boolean;
  /** Required when every listed sibling field has the given value, e.g. {LineType: Item}. */
  requiredIf?: Record<string, unknown>;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  enum?: unknown[];
  min?: number;
  max?: number;
  /** Decimal places allowed (money: 2, or the currency's minor units). */
  scale?: number;
  minItems?: number;
  maxItems?: number;
  /** For objects: their fields; for arrays: `items`. */
  fields?: Record<string, TargetField>;
  items?: TargetField;
  /** Objects: reject fields the schema does not list (default true: a typo never reaches the ERP). */
  closed?: boolean;
  description?: string;
}

export interface TargetSchema {
  name: string;
  docs?: string;
  description?: string;
  root: TargetField;
}

const TYPES = new Set<FieldType>(['string', 'integer', 'number', 'decimal', 'boolean', 'date', 'yyyymmdd', 'object', 'array', 'any']);

/** Checks the schema file itself once at load, so a typo in it is a load error, not a silent pass. */
export function checkTargetSchema(name: string, f: TargetField, path = ''): void {
  if (!f || typeof f !== 'object' || !TYPES.has(f.type)) {
    throw userError('MAPPING_SYNTAX', `target schema "${name}": field ${path || '(root)'} needs a type (one of ${[...TYPES].join(', ')})`, { details: { target: name, field: path } });
  }
  if (f.pattern) {
    try {
      new RegExp(f.pattern);
    } catch {
      throw userError('MAPPING_SYNTAX', `target schema "${name}": field ${path}: bad pattern ${f.pattern}`, { details: { target: name, field: path } });
    }
  }
  for (const [k, sub] of Object.entries(f.fields ?? {})) checkTargetSchema(name, sub, path ? `${path}.${k}` : k);
  if (f.items) checkTargetSchema(name, f.items, `${path}[]`);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const YMD = /^\d{8}$/;
const patterns = new Map<string, RegExp>();

const blank = (v: unknown) => v === undefined || v === null || v === '';
const show = (v: unknown) => (typeof v === 'string' ? `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'` : JSON.stringify(v));

export function validateTarget(value: unknown, f: TargetField, path: string, errors: MappingIssue[], parent?: Record<string, unknown>): void {
  if (blank(value)) {
    const cond = f.requiredIf && parent && Object.entries(f.requiredIf).every(([k, v]) => parent[k] === v);
    if (f.required || cond) errors.push({ path: path || '(record)', message: cond ? `required when ${Object.entries(f.requiredIf!).map(([k, v]) => `${k} is ${String(v)}`).join(' and ')}` : 'required' });
    return;
  }
  const fail = (message: string, suggestions?: string[]): void => void errors.push(suggestions?.length ? { path, message, suggestions } : { path, message });
  switch (f.type) {
    case 'any':
      return;
    case 'string':
    case 'date':
    case 'yyyymmdd': {
      if (typeof value !== 'string') return fail(`must be text, got ${show(value)}`);
      if (f.type === 'date' && (!DATE.test(value) || Number.isNaN(Date.parse(value)))) return fail(`must be a date YYYY-MM-DD, got ${show(value)}`);
      if (f.type === 'yyyymmdd' && !YMD.test(value)) return fail(`must be a date YYYYMMDD, got ${show(value)}`);
      if (f.maxLength !== undefined && value.length > f.maxLength) fail(`longer than ${f.maxLength} characters (${value.length}): ${show(value)}`);
      if (f.minLength !== undefined && value.length < f.minLength) fail(`shorter than ${f.minLength} characters: ${show(value)}`);
      if (f.pattern) {
        let re = patterns.get(f.pattern);
        if (!re) patterns.set(f.pattern, (re = new RegExp(f.pattern)));
        if (!re.test(value)) fail(`does not match ${f.pattern}: ${show(value)}`);
      }
      break;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail(`must be a whole number, got ${show(value)}`);
      rangeCheck(value, f, fail);
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`must be a number, got ${show(value)}`);
      rangeCheck(value, f, fail);
      break;
    case 'decimal': {
      const d = toDecimal(value);
      if (!d) return fail(`must be a decimal number, got ${show(value)}`);
      if (f.scale !== undefined && d.decimalPlaces() > f.scale) fail(`has more than ${f.scale} decimal places: ${show(value)}`);
      rangeCheck(d.toNumber(), f, fail);
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return fail(`must be true or false, got ${show(value)}`);
      break;
    case 'array': {
      if (!Array.isArray(value)) return fail(`must be a list, got ${show(value)}`);
      if (f.minItems !== undefined && value.length < f.minItems) fail(`needs at least ${f.minItems} item(s), got ${value.length}`);
      if (f.maxItems !== undefined && value.length > f.maxItems) fail(`allows at most ${f.maxItems} item(s), got ${value.length}`);
      if (f.items) for (let i = 0; i < value.length; i++) validateTarget(value[i], f.items, `${path}[${i}]`, errors);
      break;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return fail(`must be an object, got ${show(value)}`);
      const o = value as Record<string, unknown>;
      const fields = f.fields ?? {};
      for (const [k, sub] of Object.entries(fields)) validateTarget(o[k], sub, path ? `${path}.${k}` : k, errors, o);
      if (f.closed !== false && f.fields) {
        for (const k of Object.keys(o)) {
          if (!(k in fields)) {
            const names = Object.keys(fields);
            const near = names.length ? closestWord(k, names) : undefined;
            errors.push({ path: path ? `${path}.${k}` : k, message: `not a field of this record${near && distance(k, near) <= 3 ? ` (did you mean ${near}?)` : ''}`, ...(near ? { suggestions: [near] } : {}) });
          }
        }
      }
      break;
    }
  }
  if (f.enum && !f.enum.some((e) => e === value)) {
    const opts = f.enum.map(String);
    const near = typeof value === 'string' ? opts.filter((o) => distance(o.toLowerCase(), value.toLowerCase()) <= 2) : [];
    fail(`${show(value)} is not one of ${opts.join(', ')}`, near);
  }
}

function rangeCheck(v: number, f: TargetField, fail: (m: string) => void) {
  if (f.min !== undefined && v < f.min) fail(`must be at least ${f.min}, got ${v}`);
  if (f.max !== undefined && v > f.max) fail(`must be at most ${f.max}, got ${v}`);
}

/** Field names a spec writes that the target does not have: caught at load, with a suggestion. */
export function unknownTargetField(f: TargetField | undefined, name: string): string | undefined {
  if (!f?.fields || f.closed === false || name in f.fields) return undefined;
  const near = closestWord(name, Object.keys(f.fields));
  return `"${name}" is not a field of the target${near && distance(name, near) <= 3 ? ` (did you mean ${near}?)` : ''}`;
}
