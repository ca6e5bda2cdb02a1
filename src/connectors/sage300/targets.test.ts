// The mapping templates' Sage 300 target schemas (mappings/targets/sage300) and the connector's input
// schemas must agree on field names, or a correctly mapped record would be refused before sending.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { createCreditNote, createCustomer, createJournalBatch, createReceiptBatch } from './index.js';
import { itemLineIn, miscLineIn, orderIn } from './schemas.js';

type Field = { type?: string; fields?: Record<string, Field>; items?: { fields?: Record<string, Field> } };
const targets = path.resolve(import.meta.dirname, '../../../mappings/targets/sage300');

function keysOf(schema: z.ZodType): Set<string> {
  let s = schema as unknown as { shape?: Record<string, z.ZodType>; def?: { innerType?: z.ZodType; in?: z.ZodType; schema?: z.ZodType } };
  while (!s.shape && (s.def?.innerType || s.def?.in || s.def?.schema)) s = (s.def.innerType ?? s.def.in ?? s.def.schema) as typeof s;
  return new Set(Object.keys(s.shape ?? {}));
}
function child(schema: z.ZodType, key: string): z.ZodType {
  let s = schema as unknown as { shape?: Record<string, z.ZodType>; def?: { innerType?: z.ZodType; in?: z.ZodType; schema?: z.ZodType; element?: z.ZodType } };
  while (!s.shape && (s.def?.innerType || s.def?.in || s.def?.schema)) s = (s.def.innerType ?? s.def.in ?? s.def.schema) as typeof s;
  let c = s.shape![key] as unknown as typeof s;
  while (!c.def?.element && (c.def?.innerType || c.def?.in)) c = (c.def.innerType ?? c.def.in) as typeof s;
  return (c.def?.element ?? c) as z.ZodType;
}

function missing(fields: Record<string, Field>, schema: z.ZodType, where: string): string[] {
  const known = keysOf(schema);
  const out: string[] = [];
  for (const [k, f] of Object.entries(fields)) {
    if (!known.has(k)) { out.push(`${where}${k}`); continue; }
    const nested = f.items?.fields ?? f.fields;
    if (nested) out.push(...missing(nested, child(schema, k), `${where}${k}[].`));
  }
  return out;
}

const read = async (name: string) => (parse(await readFile(path.join(targets, `${name}.yaml`), 'utf8')) as { fields: Record<string, Field> }).fields;

describe('mapping targets ↔ Sage 300 connector inputs', () => {
  it('oe-order: every header and line field is accepted by createOrder', async () => {
    const fields = await read('oe-order');
    const { OrderDetails, ...header } = fields;
    expect(missing(header, orderIn, '')).toEqual([]);
    const lineKeys = new Set([...keysOf(itemLineIn), ...keysOf(miscLineIn)]);
    expect(Object.keys(OrderDetails!.items!.fields!).filter((k) => !lineKeys.has(k))).toEqual([]);
  });

  it.each([
    ['ar-customer', createCustomer.input],
    ['ar-receipt-batch', createReceiptBatch.input],
    ['gl-journal-batch', createJournalBatch.input],
  ] as const)('%s: every field is accepted', async (name, schema) => {
    expect(missing(await read(name), schema as z.ZodType, '')).toEqual([]);
  });

  it('oe-credit-note: every field is accepted (lines by their type)', async () => {
    const { CreditDebitDetails, ...header } = await read('oe-credit-note');
    expect(missing(header, createCreditNote.input as z.ZodType, '')).toEqual([]);
    const lines = child(createCreditNote.input as z.ZodType, 'CreditDebitDetails') as unknown as { options: z.ZodType[] };
    const lineKeys = new Set(lines.options.flatMap((o) => [...keysOf(o)]));
    expect(Object.keys(CreditDebitDetails!.items!.fields!).filter((k) => !lineKeys.has(k))).toEqual([]);
  });
});
