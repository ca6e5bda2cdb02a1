// Which connection settings are secrets is said by each connector's config schema, not guessed from
// key names (issue 10: `pwd`, `passphrase`, `privateKeyPem`, `authHeader`… passed a name regex and
// were stored in clear). A field is marked with `secret(z.string())`; everything the schema marks is
// sealed at rest and never shown, and the schemas are strict, so a key no schema knows is refused
// instead of being stored anywhere. Decision 0006.
import { z } from 'zod';

/** Marks a config field as a credential: sealed at rest, never returned, never logged. */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ secret: true }) as T;
}

const isMarked = (s: z.ZodType): boolean => (z.globalRegistry.get(s) as { secret?: unknown } | undefined)?.secret === true;

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Dotted paths of the secret fields of a config schema, e.g. `['password']` or
 * `['auth.password', 'auth.token']` (every branch of a union is walked). Arrays are not walked:
 * a secret belongs in a named field.
 */
export function secretPaths(schema: z.ZodType): string[] {
  const out = new Set<string>();
  const walk = (s: z.ZodType, at: string, marked: boolean, depth: number): void => {
    if (depth > 20) return;
    const m = marked || isMarked(s);
    const def = defOf(s);
    if (def.type === 'object' && def.shape) {
      for (const [k, v] of Object.entries(def.shape)) walk(v, at ? `${at}.${k}` : k, false, depth + 1);
      return;
    }
    if (def.type === 'union' && def.options) {
      for (const o of def.options) walk(o, at, m, depth + 1);
      return;
    }
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (inner) return walk(inner, at, m, depth + 1);
    if (m && at) out.add(at);
  };
  walk(schema, '', false, 0);
  return [...out].sort();
}
