// The connectors' config schemas as the connection store needs them (decision 0006): which fields
// are secrets, and every problem with a connection's settings at once. core/ knows no connector, so
// main.ts hands this to the ConnectionStore.
import type { SystemSettings } from '../core/connections.js';
import { connectors } from './index.js';
import { secretPaths } from './secret-fields.js';

const cache = new Map<string, SystemSettings>();

export function systemSettings(system: string): SystemSettings | undefined {
  const connector = connectors[system];
  if (!connector) return undefined;
  let s = cache.get(system);
  if (!s) {
    s = {
      secretPaths: secretPaths(connector.configSchema),
      check(settings) {
        const res = connector.configSchema.safeParse(settings);
        // Messages name the path and the problem, never the value (it may be a password typed in the wrong field).
        return res.success ? [] : res.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`);
      },
    };
    cache.set(system, s);
  }
  return s;
}

/** pino redact paths for every secret field any connector declares (belt and braces: a logged config object). */
export function secretLogPaths(): string[] {
  const names = new Set<string>();
  for (const c of Object.values(connectors)) for (const p of secretPaths(c.configSchema)) names.add(p.split('.').pop()!);
  return [...names].flatMap((n) => [`${n}`, `*.${n}`, `*.*.${n}`]);
}
