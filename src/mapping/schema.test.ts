// The published JSON Schema (mappings/mapping.schema.json, for editors) accepts every shipped
// template and rejects what the loader rejects.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findSpecFiles } from './index.js';

const root = path.resolve(import.meta.dirname, '../../mappings');
const schema = JSON.parse(await readFile(path.join(root, 'mapping.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

describe('mapping.schema.json', () => {
  it('accepts every shipped template', async () => {
    const files = await findSpecFiles(root);
    expect(files.length).toBeGreaterThanOrEqual(19);
    for (const f of files) {
      const ok = validate(parse(await readFile(f, 'utf8')));
      expect(ok, `${path.relative(root, f)}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('rejects a misspelt key, a missing version and a field with both each and concat', () => {
    expect(validate({ id: 'a', version: 1, feilds: {} })).toBe(false);
    expect(validate({ id: 'a', fields: {} })).toBe(false);
    expect(validate({ id: 'a', version: 1, fields: { X: { each: 'items', concat: [] } } })).toBe(false);
    expect(validate({ id: 'a', version: 1, fields: { X: { expr: 'a', exprr: 'b' } } })).toBe(false);
    expect(validate({ id: 'a', version: 1, fields: { X: 'a', Y: { const: 1 }, Z: { each: 'items', fields: { Q: 'q' } } } })).toBe(true);
  });
});
