// The configuration's lookupsDir: a merchant's table replaces the shipped one of the same name;
// the tables it does not have still come from the shipped folder.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMapping } from './index.js';

const root = path.resolve(import.meta.dirname, '../..');
const spec = path.join(root, 'mappings/xcart-sage300/order-to-oe-order.yaml');
const sample = JSON.parse(readFileSync(path.join(root, 'mappings/xcart-sage300/samples/order.json'), 'utf8')) as { items: Array<{ sku: string }> };

describe('lookupsDir', () => {
  it("the merchant's sku table maps an SKU the shipped table does not know; other tables stay the shipped ones", async () => {
    const order = structuredClone(sample);
    order.items[0]!.sku = 'MERCHANT-ONLY-1';
    const shipped = await loadMapping(spec);
    expect((await shipped.run(order)).errors.map((e) => e.message).join(' ')).toContain('MERCHANT-ONLY-1');

    const dir = mkdtempSync(path.join(tmpdir(), 'lookups-'));
    const table = readFileSync(path.join(root, 'mappings/lookups/sku.yaml'), 'utf8').replace(/^entries:\s*$/m, 'entries:\n  MERCHANT-ONLY-1: A1-1001-BLK');
    expect(table).toContain('MERCHANT-ONLY-1');
    writeFileSync(path.join(dir, 'sku.yaml'), table);
    const own = await loadMapping(spec, { lookupsDir: dir });
    const result = await own.run(order);
    expect(result.errors.filter((e) => e.message.includes('MERCHANT-ONLY-1'))).toEqual([]);
    expect((result.output as { OrderDetails: Array<{ Item?: string }> }).OrderDetails[0]!.Item).toBe('A1-1001-BLK');
  });
});
