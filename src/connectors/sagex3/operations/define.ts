// Shared by the operation files: input errors become classified `user` errors (not a ZodError that
// the engine would take for a bug), and typed objects go to and from the wire through the layout.
import { z } from 'zod';
import { userError } from '../../../core/errors.js';
import { operationDefiner, type Operation } from '../../types.js';
import type { SageX3Client } from '../client.js';
import { LINE_TABLES, type X3Object } from '../layouts.js';
import { decodeRecord, encodePayload, toBlocks, type FieldValue, type FlatRow } from '../payload.js';
import type { X3Record } from '../schemas.js';

export const X3_OBJECTS = ['SOH', 'ITM', 'BPC', 'SIH', 'GAS'] as const;
export const objectSchema = z.enum(X3_OBJECTS);
export const keySchema = z.union([z.string().min(1), z.record(z.string(), z.string().min(1))]);

const define = operationDefiner<SageX3Client>((operation, error) =>
  userError('X3_INPUT_INVALID', `${operation}: ${error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`, { details: { operation, issues: error.issues } }),
);

export function defineX3Operation<I, O>(op: Operation<I, O, SageX3Client>) {
  return define<z.ZodType<I>, z.ZodType<O>>(op);
}

const LINE_NUMBER_COLUMN: Partial<Record<X3Object, string>> = { SOH: 'NUMLIG', GAS: 'LIN' };

const wire = (v: unknown): FieldValue => (Array.isArray(v) ? v.map(String) : String(v));

/** Typed object (or patch) → PARAM string in the connection's payload format. */
export function toPayload(client: SageX3Client, object: X3Object, data: Record<string, unknown>, mode: 'create' | 'modify'): string {
  const lt = LINE_TABLES[object];
  const fields: FlatRow = {};
  for (const [k, v] of Object.entries(data)) {
    if (v === undefined || k === 'extra' || k === 'tables' || (lt && k === lt.as)) continue;
    fields[k] = wire(v);
  }
  for (const [k, v] of Object.entries((data.extra as Record<string, FieldValue> | undefined) ?? {})) fields[k] = v;
  const tables: Record<string, FlatRow[]> = {};
  const lineNumbers: Record<string, Array<number | undefined>> = {};
  const rows = lt ? (data[lt.as] as Array<Record<string, unknown>> | undefined) : undefined;
  if (lt && rows) {
    const json = client.config.payloadFormat === 'JSON';
    tables[lt.table] = rows.map((r) => {
      const out: FlatRow = {};
      for (const [k, v] of Object.entries(r)) if (v !== undefined && k !== 'extra' && k !== 'line') out[k] = wire(v);
      for (const [k, v] of Object.entries((r.extra as Record<string, FieldValue> | undefined) ?? {})) out[k] = v;
      // The JSON grammar has no LIN NUM: the line-number column says which line to update (0 adds).
      if (mode === 'modify' && json) {
        const col = LINE_NUMBER_COLUMN[object];
        if (col) out[col] = String(r.line ?? 0);
        else if (r.line !== undefined) throw userError('X3_INPUT_INVALID', `${object}: a JSON payload cannot address line ${r.line} (no line-number column); use XML payloads to update lines`, { details: { object } });
      }
      return out;
    });
    lineNumbers[lt.table] = rows.map((r) => (typeof r.line === 'number' ? r.line : undefined));
  }
  // Declared site tables (the connection's layout must carry them, as the site's publication does).
  for (const [tab, rows] of Object.entries((data.tables as Record<string, FlatRow[]> | undefined) ?? {})) {
    if (lt && tab === lt.table) throw userError('X3_INPUT_INVALID', `${object}: give the ${tab} rows as \`${lt.as}\`, not under tables`, { details: { object, table: tab } });
    tables[tab] = rows;
  }
  const layout = client.layout(object);
  const blocks = toBlocks(layout, client.publication(object), fields, tables);
  return encodePayload(client.config.payloadFormat, blocks, lineNumbers);
}

/** RESULT → typed flat record, lines under `lines` (or `addresses`). */
export function fromResult(object: X3Object, resultXml: string): X3Record {
  const d = decodeRecord(resultXml);
  // The decoded fields are a fresh object: the record is built on it, not on a copy.
  const out: X3Record = d.fields;
  const lt = LINE_TABLES[object];
  if (lt) out[lt.as] = d.tables[lt.table] ?? [];
  // Any other table the site publishes (ITM3_2 …) comes back under its own id.
  for (const [tab, rows] of Object.entries(d.tables)) if (tab !== lt?.table) out[tab] = rows;
  return out;
}

/** A key given as a string (single-key objects) or by field name → objectKeys in layout order. */
export function toKeys(client: SageX3Client, object: X3Object, key: string | Record<string, string>): Array<{ key: string; value: string }> {
  const names = client.layout(object).keys;
  if (typeof key === 'string') {
    if (names.length !== 1) throw userError('X3_INPUT_INVALID', `${object} has a composite key (${names.join(', ')}): give each part by name`, { details: { keys: names } });
    return [{ key: names[0]!, value: key }];
  }
  const missing = names.filter((n) => !key[n]);
  if (missing.length) throw userError('X3_INPUT_INVALID', `${object} key incomplete: ${missing.join(', ')} missing`, { details: { keys: names } });
  return names.map((n) => ({ key: n, value: key[n]! }));
}
