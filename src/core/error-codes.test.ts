// docs/errors.md and the code must list the same error codes (STYLE.md, after Fastify).
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

async function codeFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await codeFiles(p)));
    else if (e.name === 'error-codes.ts') out.push(p);
  }
  return out;
}

describe('error catalogue', () => {
  it('docs/errors.md lists exactly the codes declared in src/**/error-codes.ts', async () => {
    const declared = new Map<string, string>();
    for (const file of await codeFiles(path.join(root, 'src'))) {
      const mod = (await import(file)) as Record<string, Record<string, { kind: string }>>;
      for (const codes of Object.values(mod)) {
        for (const [code, def] of Object.entries(codes)) {
          expect(declared.has(code), `${code} declared twice (${file} and ${declared.get(code)})`).toBe(false);
          declared.set(code, `${path.relative(root, file)} (${def.kind})`);
        }
      }
    }
    const doc = await readFile(path.join(root, 'docs/errors.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]!));
    const missing = [...declared.keys()].filter((c) => !documented.has(c));
    const stale = [...documented].filter((c) => !declared.has(c));
    expect(missing, 'codes missing from docs/errors.md').toEqual([]);
    expect(stale, 'codes in docs/errors.md that no code declares').toEqual([]);
    expect(declared.size).toBeGreaterThan(5);
  });

  it('every code thrown in src/ is declared', async () => {
    const declared = new Set<string>();
    for (const file of await codeFiles(path.join(root, 'src'))) {
      const mod = (await import(file)) as Record<string, Record<string, unknown>>;
      for (const codes of Object.values(mod)) for (const c of Object.keys(codes)) declared.add(c);
    }
    const used = new Set<string>();
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !p.includes(`${path.sep}sandboxes${path.sep}`)) {
          const src = await readFile(p, 'utf8');
          for (const m of src.matchAll(/(?:userError|transientError|bugError)\(\s*'([A-Z0-9_]+)'/g)) used.add(m[1]!);
          for (const m of src.matchAll(/new SynclineError\(\s*'([A-Z0-9_]+)'/g)) used.add(m[1]!);
        }
      }
    };
    await walk(path.join(root, 'src'));
    expect([...used].filter((c) => !declared.has(c)), 'codes thrown but not declared in an error-codes.ts').toEqual([]);
  });
});
