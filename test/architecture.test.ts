// DESIGN.md "Which way imports run", checked by reading the import graph.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const src = path.resolve(import.meta.dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Top folder under src/ of every relative import in a file. */
function importedAreas(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const target = path.resolve(path.dirname(file), m[1] ?? m[2]!);
    const rel = path.relative(src, target);
    if (!rel.startsWith('..')) out.push(rel.split(path.sep)[0]!.replace(/\.(ts|js)$/, ''));
  }
  return out;
}

// area → areas it must never import
const forbidden: Record<string, string[]> = {
  core: ['connectors', 'flows', 'server', 'sandboxes', 'cli', 'mapping', 'http', 'main'],
  http: ['connectors', 'flows', 'server', 'sandboxes', 'cli', 'mapping', 'main'],
  mapping: ['connectors', 'flows', 'server', 'sandboxes', 'cli', 'main'],
  connectors: ['flows', 'server', 'sandboxes', 'cli', 'main'],
  sandboxes: ['connectors', 'flows', 'server', 'cli', 'main', 'mapping'],
  flows: ['server', 'sandboxes', 'cli', 'main'],
  server: ['connectors', 'flows', 'sandboxes', 'cli', 'main'],
  // Settlement reconciliation reads through the connectors and builds journals with the mapping layer;
  // the CLI and flows call it, never the other way.
  settlement: ['flows', 'server', 'sandboxes', 'cli', 'main'],
  // The strict XML reader both the X3 sandbox and the X3 connector use: a leaf, so sharing it ties neither to the other.
  xml: ['core', 'http', 'mapping', 'connectors', 'sandboxes', 'flows', 'server', 'settlement', 'cli', 'main'],
};

describe('import rules (DESIGN.md)', () => {
  for (const [area, banned] of Object.entries(forbidden)) {
    it(`${area}/ imports none of: ${banned.join(', ')}`, () => {
      const offenders = files(path.join(src, area)).flatMap((f) => importedAreas(f).filter((a) => banned.includes(a)).map((a) => `${path.relative(src, f)} → ${a}/`));
      expect(offenders).toEqual([]);
    });
  }

  it('the checker sees imports at all (guards against a regex that matches nothing)', () => {
    expect(importedAreas(path.join(src, 'main.ts'))).toEqual(expect.arrayContaining(['core', 'flows', 'server', 'connectors']));
  });
});
