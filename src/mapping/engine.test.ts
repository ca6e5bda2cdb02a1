// The engine's contract as the flows use it: load errors with file:line:column, runtime failures that
// name the field and the expression, every problem in one MAPPING_INVALID, versions pinned.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynclineError } from '../core/errors.js';
import { compileMapping, loadMapping, mappingError, MappingRegistry } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'syncline-mapping-'));
  await mkdir(path.join(dir, 'lookups'));
  await mkdir(path.join(dir, 'pair'));
  await writeFile(path.join(dir, 'lookups', 'codes.yaml'), 'name: codes\nlabel: code\nnormalize: [trim, upper]\nentries: { A: alpha, B: beta }\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const write = async (name: string, text: string) => {
  const f = path.join(dir, 'pair', name);
  await writeFile(f, text);
  return f;
};

describe('loadMapping', () => {
  it('rejects a JSONata syntax error with file, line and column', async () => {
    const f = await write('bad-expr.yaml', 'id: t\nversion: 1\nfields:\n  A: "x +"\n  B: "y"\n');
    const err = await loadMapping(f).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SynclineError);
    const e = err as SynclineError;
    expect(e.code).toBe('MAPPING_SYNTAX');
    expect(e.kind).toBe('user');
    expect(e.message).toContain(`${f}:4:`);
    expect(e.details).toMatchObject({ file: f, line: 4, field: 'fields.A' });
    expect(e.message).toContain('x +');
  });

  it('rejects bad YAML with its position', async () => {
    const f = await write('bad-yaml.yaml', 'id: t\nversion: 1\nfields:\n  A: [unclosed\n');
    const e = (await loadMapping(f).catch((x: unknown) => x)) as SynclineError;
    expect(e.code).toBe('MAPPING_SYNTAX');
    expect(e.details.line).toBeGreaterThanOrEqual(4);
  });

  it('rejects an unknown key and a field the target does not have, suggesting the right one', async () => {
    const f = await write('typo.yaml', 'id: t\nversion: 1\nfeilds: {}\n');
    await expect(loadMapping(f)).rejects.toThrow(/unknown key "feilds"/);
    const g = await write('target-typo.yaml', 'id: t\nversion: 1\ntarget: sage300/oe-order\nfields:\n  CustomerNumbr: "x"\n');
    const root = path.resolve(import.meta.dirname, '../../mappings');
    await expect(loadMapping(g, { root })).rejects.toThrow(/"CustomerNumbr" is not a field of the target \(did you mean CustomerNumber\?\)/);
  });

  it('names a missing lookup table', async () => {
    const f = await write('missing-table.yaml', 'id: t\nversion: 1\nlookups: [nope]\nfields: { A: "x" }\n');
    const e = (await loadMapping(f).catch((x: unknown) => x)) as SynclineError;
    expect(e.code).toBe('MAPPING_NOT_FOUND');
    expect(e.message).toMatch(/lookup table "nope" not found/);
  });
});

describe('running a mapping', () => {
  it('reports a runtime error naming the target field and the expression, and keeps going', async () => {
    const m = compileMapping({ id: 't', version: 1, fields: { Total: 'price * qty', Name: 'name' } });
    const r = await m.run({ price: 'ten', qty: 2, name: 'ok' });
    expect(r.output).toEqual({ Name: 'ok' });
    expect(r.errors).toEqual([{ path: 'Total', message: expect.stringContaining('expression `price * qty` failed') }]);
  });

  it('collects every problem into one user error', async () => {
    const f = await write('codes.yaml', 'id: t\nversion: 1\nlookups: [codes]\nfields:\n  Lines:\n    each: items\n    fields:\n      Code: { expr: "$table(\'codes\', c)", required: true }\n  Ref: { expr: "ref", required: true }\n');
    const m = await loadMapping(f);
    const r = await m.run({ items: [{ c: ' a ' }, { c: 'c' }] });
    expect(r.output).toEqual({ Lines: [{ Code: 'alpha' }, {}] });
    const err = mappingError(r, m);
    expect(err.code).toBe('MAPPING_INVALID');
    expect(err.kind).toBe('user');
    expect(err.message).toBe("mapping t v1: 2 problems: Lines[1].Code: unknown code 'c' at items[1].c (closest: A, B); Ref: required: `ref` gave nothing");
    expect(err.details.errors).toHaveLength(2);
  });

  it('gives the same results synchronously and through the generic (jsonata-capable) walk', async () => {
    const m = compileMapping({ id: 't', version: 1, let: { n: '$count(items)' }, fields: { N: '$n', L: { each: 'items', when: 'q > 1', fields: { Q: 'q', I: '$index' } } } });
    const input = { items: [{ q: 1 }, { q: 2 }, { q: 3 }] };
    expect(m.sync).toBe(true);
    expect(m.runSync(input)).toEqual(await m.runGeneric(input));
    expect(m.runSync(input).output).toEqual({ N: 3, L: [{ Q: 2, I: 1 }, { Q: 3, I: 2 }] });
  });

  it('falls back to jsonata for what it cannot compile, with the same built-ins', async () => {
    const m = compileMapping({ id: 't', version: 1, fields: { S: "$join($map(items, function($v) { $dmul($v.p, $v.q) }), '+')" } });
    expect(m.sync).toBe(false);
    expect(m.fallbacks[0]!.where).toBe('fields.S');
    const r = await m.run({ items: [{ p: '0.10', q: 3 }, { p: 0.2, q: 1 }] });
    expect(r.output).toEqual({ S: '0.3+0.2' });
    expect(() => m.runSync({})).toThrow(/call run\(\), not runSync\(\)/);
  });
});

describe('MappingRegistry', () => {
  it('keeps every version so a flow can pin one, and refuses a duplicate', async () => {
    const vdir = await mkdtemp(path.join(tmpdir(), 'syncline-versions-'));
    try {
      await writeFile(path.join(vdir, 'a-v1.yaml'), 'id: a\nversion: 1\nfields: { X: "\'one\'" }\n');
      await writeFile(path.join(vdir, 'a-v2.yaml'), 'id: a\nversion: 2\nfields: { X: "\'two\'" }\n');
      const reg = await MappingRegistry.load(vdir);
      expect((await reg.get('a', 1).run({})).output).toEqual({ X: 'one' });
      expect((await reg.get('a', 2).run({})).output).toEqual({ X: 'two' });
      expect(reg.latest('a').version).toBe(2);
      expect(() => reg.get('a', 3)).toThrow(/version 3 is not installed \(installed: 1, 2\)/);
      await writeFile(path.join(vdir, 'a-dup.yaml'), 'id: a\nversion: 2\nfields: { X: "\'again\'" }\n');
      await expect(MappingRegistry.load(vdir)).rejects.toThrow(/defined twice/);
    } finally {
      await rm(vdir, { recursive: true, force: true });
    }
  });

  it('loads every shipped template', async () => {
    const reg = await MappingRegistry.load(path.resolve(import.meta.dirname, '../../mappings'));
    expect(reg.ids().length).toBeGreaterThanOrEqual(19);
    expect(reg.get('xcart-sage300/order-to-oe-order', 1).sync).toBe(true);
  });
});
