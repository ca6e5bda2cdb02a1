// Validation of a mapped record against its target entity's schema (mappings/targets/**.yaml) before
// anything reaches the ERP: required fields, types, lengths, allowed values. Every problem is
// collected with its field path, so the dead letter shows them all at once.
import { closest as closestWord, distance } from 'fastest-levenshtein';
import { userError } from '../core/errors.js';
import type { MappingIssue } from './types.js';
import { toDecimal, toFixedPoint } from './transforms/decimal.js';

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

const blank = (v: unknown) => v === undefined || v === null || v === '';
const show = (v: unknown) => (typeof v === 'string' ? `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'` : JSON.stringify(v));

// The field's path is passed as its parent's path and its own key, and joined only when a problem
// is reported (or a container is entered): most values are fine, and building every path string
// was a measurable share of validating a record.
type Check = (value: unknown, base: string, key: string | number | undefined, errors: MappingIssue[], parent: Record<string, unknown> | undefined, keysChecked: boolean) => void;

function full(base: string, key: string | number | undefined): string {
  if (key === undefined) return base;
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}
const compiled = new WeakMap<TargetField, Check>();

/**
 * Validates `value` against the field; checkers are compiled once per schema node and cached.
 * `keysChecked`: every object key was already checked against this schema when the spec was loaded
 * (the engine built the objects from the spec's `fields`), so the per-record scan for unknown keys
 * is skipped.
 */
export function validateTarget(value: unknown, f: TargetField, path: string, errors: MappingIssue[], parent?: Record<string, unknown>, keysChecked = false): void {
  checker(f)(value, path, undefined, errors, parent, keysChecked);
}

function checker(f: TargetField): Check {
  let c = compiled.get(f);
  if (!c) {
    c = compileCheck(f);
    compiled.set(f, c);
  }
  return c;
}

// Every schema property is read once here into closure constants: schema nodes parsed from YAML
// have many different shapes, and reading `f.type`, `f.maxLength`… per value made the property
// loads megamorphic (measured: ~20 µs per order before, ~2 µs after).
function compileCheck(f: TargetField): Check {
  const type = f.type;
  const required = f.required === true;
  const requiredIf = f.requiredIf ? Object.entries(f.requiredIf) : undefined;
  const requiredMsg = requiredIf ? `required when ${requiredIf.map(([k, v]) => `${k} is ${String(v)}`).join(' and ')}` : 'required';
  const re = f.pattern ? new RegExp(f.pattern) : undefined;
  const pattern = f.pattern;
  const maxLength = f.maxLength;
  const minLength = f.minLength;
  const scale = f.scale;
  const hasRange = f.min !== undefined || f.max !== undefined;
  const minItems = f.minItems;
  const maxItems = f.maxItems;
  const itemCheck = f.items ? checker(f.items) : undefined;
  const fields = f.fields ? Object.entries(f.fields).map(([k, sub]) => ({ k, c: checker(sub) })) : undefined;
  const names = f.fields ? new Set(Object.keys(f.fields)) : undefined;
  const closed = f.closed !== false && !!f.fields;
  const enumSet = f.enum;
  return (value, base, key, errors, parent, keysChecked) => {
    if (value === undefined || value === null || value === '') {
      if (required) errors.push({ path: full(base, key) || '(record)', message: 'required' });
      else if (requiredIf !== undefined && parent !== undefined) {
        let all = true;
        for (const [k, v] of requiredIf) if (parent[k] !== v) all = false;
        if (all) errors.push({ path: full(base, key) || '(record)', message: requiredMsg });
      }
      return;
    }
    switch (type) {
      case 'any':
        return;
      case 'string':
      case 'date':
      case 'yyyymmdd': {
        if (typeof value !== 'string') return bad(errors, full(base, key), `must be text, got ${show(value)}`);
        if (type === 'date' && (!DATE.test(value) || Number.isNaN(Date.parse(value)))) return bad(errors, full(base, key), `must be a date YYYY-MM-DD, got ${show(value)}`);
        if (type === 'yyyymmdd' && !YMD.test(value)) return bad(errors, full(base, key), `must be a date YYYYMMDD, got ${show(value)}`);
        if (maxLength !== undefined && value.length > maxLength) bad(errors, full(base, key), `longer than ${maxLength} characters (${value.length}): ${show(value)}`);
        if (minLength !== undefined && value.length < minLength) bad(errors, full(base, key), `shorter than ${minLength} characters: ${show(value)}`);
        if (re && !re.test(value)) bad(errors, full(base, key), `does not match ${pattern}: ${show(value)}`);
        break;
      }
      case 'integer':
        if (typeof value !== 'number' || !Number.isInteger(value)) return bad(errors, full(base, key), `must be a whole number, got ${show(value)}`);
        if (hasRange) rangeCheck(value, f, errors, full(base, key));
        break;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) return bad(errors, full(base, key), `must be a number, got ${show(value)}`);
        if (hasRange) rangeCheck(value, f, errors, full(base, key));
        break;
      case 'decimal': {
        const fx = toFixedPoint(value);
        if (fx) {
          // Exact without decimal.js: the scale is the count of significant decimals.
          let n = fx.n;
          let sc = fx.s;
          while (sc > 0 && n % 10 === 0) {
            n /= 10;
            sc--;
          }
          if (scale !== undefined && sc > scale) bad(errors, full(base, key), `has more than ${scale} decimal places: ${show(value)}`);
          if (hasRange) rangeCheck(n / 10 ** sc, f, errors, full(base, key));
          break;
        }
        const d = toDecimal(value);
        if (!d) return bad(errors, full(base, key), `must be a decimal number, got ${show(value)}`);
        if (scale !== undefined && d.decimalPlaces() > scale) bad(errors, full(base, key), `has more than ${scale} decimal places: ${show(value)}`);
        if (hasRange) rangeCheck(d.toNumber(), f, errors, full(base, key));
        break;
      }
      case 'boolean':
        if (typeof value !== 'boolean') return bad(errors, full(base, key), `must be true or false, got ${show(value)}`);
        break;
      case 'array': {
        if (!Array.isArray(value)) return bad(errors, full(base, key), `must be a list, got ${show(value)}`);
        if (minItems !== undefined && value.length < minItems) bad(errors, full(base, key), `needs at least ${minItems} item(s), got ${value.length}`);
        if (maxItems !== undefined && value.length > maxItems) bad(errors, full(base, key), `allows at most ${maxItems} item(s), got ${value.length}`);
        if (itemCheck) {
          const here = full(base, key);
          for (let i = 0; i < value.length; i++) itemCheck(value[i], here, i, errors, undefined, keysChecked);
        }
        break;
      }
      case 'object': {
        if (typeof value !== 'object' || Array.isArray(value)) return bad(errors, full(base, key), `must be an object, got ${show(value)}`);
        const o = value as Record<string, unknown>;
        const here = full(base, key);
        if (fields) for (const { k, c } of fields) c(o[k], here, k, errors, o, keysChecked);
        if (closed && !keysChecked) {
          for (const k in o) {
            if (!names!.has(k)) {
              const near = closestWord(k, [...names!]);
              errors.push({ path: here ? `${here}.${k}` : k, message: `not a field of this record${near && distance(k, near) <= 3 ? ` (did you mean ${near}?)` : ''}`, ...(near ? { suggestions: [near] } : {}) });
            }
          }
        }
        break;
      }
    }
    if (enumSet && !enumSet.some((e) => e === value)) {
      const opts = enumSet.map(String);
      const near = typeof value === 'string' ? opts.filter((o) => distance(o.toLowerCase(), value.toLowerCase()) <= 2) : [];
      bad(errors, full(base, key), `${show(value)} is not one of ${opts.join(', ')}`, near);
    }
  };
}

// A plain function rather than a closure per value: this runs for every field of every record.
function bad(errors: MappingIssue[], path: string, message: string, suggestions?: string[]): void {
  errors.push(suggestions?.length ? { path, message, suggestions } : { path, message });
}

function rangeCheck(v: number, f: TargetField, errors: MappingIssue[], path: string) {
  if (f.min !== undefined && v < f.min) bad(errors, path, `must be at least ${f.min}, got ${v}`);
  if (f.max !== undefined && v > f.max) bad(errors, path, `must be at most ${f.max}, got ${v}`);
}

/** Field names a spec writes that the target does not have: caught at load, with a suggestion. */
export function unknownTargetField(f: TargetField | undefined, name: string): string | undefined {
  if (!f?.fields || f.closed === false || name in f.fields) return undefined;
  const near = closestWord(name, Object.keys(f.fields));
  return `"${name}" is not a field of the target${near && distance(name, near) <= 3 ? ` (did you mean ${near}?)` : ''}`;
}
