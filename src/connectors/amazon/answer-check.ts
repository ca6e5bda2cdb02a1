// A cheap first look at an answer before zod parses it. Amazon's answers are read against loose zod
// schemas (unknown fields pass through), and zod builds a copy of every object it reads, known and
// unknown fields alike: on the order path (getOrder, getOrderItems) that copy was most of the cost of
// checking. An answer zod would accept and return unchanged — plain JSON with no default, transform
// or refinement in its schema — is the answer itself, so it is only looked at here; anything else
// (a failing value, a schema using what this does not read) goes to zod as before, which then gives
// the same value or the same issues it always gave.
import type { z } from 'zod';

/** True: zod would accept the value and return an equal one. False: ask zod. */
export type AnswerCheck = (value: unknown) => boolean;

interface Def {
  type: string;
  checks?: Array<{ _zod: { def: Record<string, any> } }>;
  check?: string;
  format?: string;
  coerce?: boolean;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  element?: z.ZodType;
  entries?: Record<string, unknown>;
  values?: unknown[];
}

const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The check for a schema, or undefined when it uses something this does not read (then zod alone). */
export function answerCheck(schema: z.ZodType): AnswerCheck | undefined {
  const d = defOf(schema);
  // A schema that is itself a check (z.email(), z.iso.datetime(), z.int() …): only z.int() is read here.
  const int = d.type === 'number' && d.format === 'safeint';
  if ((d.check !== undefined || d.format !== undefined) && !int) return undefined;
  switch (d.type) {
    case 'unknown':
    case 'any':
      return d.checks?.length ? undefined : () => true;
    case 'string': {
      if (d.coerce) return undefined;
      const tests: Array<(s: string) => boolean> = [];
      for (const c of d.checks ?? []) {
        const k = c._zod.def;
        if (k.check === 'string_format' && k.format === 'regex' && k.pattern instanceof RegExp) {
          const re: RegExp = k.pattern;
          tests.push((s) => {
            re.lastIndex = 0;
            return re.test(s);
          });
        } else if (k.check === 'min_length') tests.push((s) => s.length >= k.minimum);
        else if (k.check === 'max_length') tests.push((s) => s.length <= k.maximum);
        else if (k.check === 'length_equals') tests.push((s) => s.length === k.length);
        else return undefined;
      }
      return (v) => typeof v === 'string' && tests.every((t) => t(v));
    }
    case 'number': {
      if (d.coerce) return undefined;
      let whole = int;
      for (const c of d.checks ?? []) {
        if (c._zod.def.check === 'number_format' && c._zod.def.format === 'safeint') whole = true;
        else return undefined;
      }
      return (v) => typeof v === 'number' && Number.isFinite(v) && (!whole || Number.isSafeInteger(v));
    }
    case 'boolean':
      return d.coerce || d.checks?.length ? undefined : (v) => typeof v === 'boolean';
    case 'enum': {
      if (d.checks?.length) return undefined;
      const allowed = new Set(Object.values(d.entries ?? {}));
      return (v) => allowed.has(v);
    }
    case 'optional': {
      const inner = d.innerType && answerCheck(d.innerType);
      return inner && !d.checks?.length ? (v) => v === undefined || inner(v) : undefined;
    }
    case 'array': {
      const el = d.element && answerCheck(d.element);
      return el && !d.checks?.length ? (v) => Array.isArray(v) && v.every(el) : undefined;
    }
    case 'object': {
      if (d.checks?.length) return undefined;
      // Loose (catchall unknown): every field kept; strip (no catchall): only when it has no other field.
      const catchall = d.catchall ? defOf(d.catchall).type : undefined;
      if (catchall !== undefined && catchall !== 'unknown' && catchall !== 'any') return undefined;
      const fields: Array<[string, AnswerCheck]> = [];
      for (const [k, s] of Object.entries(d.shape ?? {})) {
        const c = answerCheck(s);
        if (!c) return undefined;
        fields.push([k, c]);
      }
      const keys = new Set(fields.map(([k]) => k));
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
        const o = v as Record<string, unknown>;
        // zod's copy never carries an own __proto__ field; such an answer goes to zod.
        if (Object.hasOwn(o, '__proto__')) return false;
        for (const [k, c] of fields) if (!c(o[k])) return false;
        if (catchall === undefined) for (const k in o) if (!keys.has(k)) return false;
        return true;
      };
    }
    default:
      return undefined;
  }
}
