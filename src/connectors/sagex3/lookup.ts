// Lookup-before-create for sales orders (DESIGN.md, delivery semantics): X3 has no idempotency key, so
// the source's order id travels in CUSORDREF and we look for it before saving — and again after a
// save whose outcome is unknown (timeout, reset), before anyone creates the order a second time.
import { SynclineError, userError } from '../../core/errors.js';
import type { SageX3Client } from './client.js';
import { api1Query } from './operations/api1-query.js';
import { query } from './operations/query.js';
import { read } from './operations/read.js';
import { save } from './operations/save.js';
import type { SalesOrderInput, X3Record } from './schemas.js';

/** The order carrying this reference, or undefined. Two orders with one reference is an operator's problem. */
export async function findSalesOrderByReference(client: SageX3Client, cusordref: string): Promise<X3Record | undefined> {
  // Rows are compared exactly afterwards: a trailing * would make X3's left list match a prefix.
  const rows =
    client.config.orderLookup === 'api1'
      ? (await api1Query.call(client, { class: 'SORDER', where: `CUSORDREF eq '${cusordref.replace(/'/g, "''")}'`, count: 5 })).resources
          .map((r) => ({ SOHNUM: String(r.SOHNUM ?? ''), CUSORDREF: String(r.CUSORDREF ?? '') }))
          .filter((r) => r.CUSORDREF === cusordref)
      : (await query.call(client, { object: 'SOH', criteria: { CUSORDREF: cusordref }, listSize: 5 })).filter((r) => r.CUSORDREF === cusordref);
  if (rows.length > 1) {
    throw userError('X3_DUPLICATE', `Sales orders ${rows.map((r) => r.SOHNUM).join(', ')} all carry reference ${cusordref}; keep one and replay`, { details: { cusordref, orders: rows.map((r) => r.SOHNUM) } });
  }
  if (rows.length === 0) return undefined;
  return read.call(client, { object: 'SOH', key: String(rows[0]!.SOHNUM) });
}

export async function createSalesOrderOnce(client: SageX3Client, order: SalesOrderInput): Promise<{ order: X3Record; created: boolean }> {
  if (!order.CUSORDREF) throw userError('X3_INPUT_INVALID', 'createSalesOrderOnce needs CUSORDREF (the source order id) to stay idempotent');
  const existing = await findSalesOrderByReference(client, order.CUSORDREF);
  if (existing) return { order: existing, created: false };
  try {
    return { order: await save.call(client, { object: 'SOH', data: order }), created: true };
  } catch (e) {
    if (e instanceof SynclineError && e.details.outcomeUnknown === true) {
      const after = await findSalesOrderByReference(client, order.CUSORDREF);
      if (after) return { order: after, created: true };
    }
    throw e;
  }
}
