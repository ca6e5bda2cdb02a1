// Contract between the templates and the connectors that deliver them: the output of every case that
// maps cleanly must be accepted by the connector operation that delivers it (its zod input schema),
// so a field name or shape the connector does not know is caught here, not in a dead letter.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';
import { orderIn } from '../connectors/sage300/schemas.js';
import { createCustomer } from '../connectors/sage300/operations/createCustomer.js';
import { createCreditNote } from '../connectors/sage300/operations/createCreditNote.js';
import { createJournalBatch, createReceiptBatch } from '../connectors/sage300/operations/batches.js';
import { createFulfillmentOrder } from '../connectors/amazon/operations/createFulfillmentOrder.js';
import { putListingsItem } from '../connectors/amazon/operations/putListingsItem.js';
import { createSchemas } from '../connectors/sagex3/schemas.js';
import { addressInput, productInput, profileInput } from '../connectors/xcart/schemas.js';
import { setStock } from '../connectors/xcart/operations/setStock.js';
import { updateShippingStatus } from '../connectors/xcart/operations/updateShippingStatus.js';
import { updatePaymentStatus } from '../connectors/xcart/operations/updatePaymentStatus.js';
import { addTrackingNumber } from '../connectors/xcart/operations/addTrackingNumber.js';
import { loadMapping } from './index.js';

const root = path.resolve(import.meta.dirname, '../../mappings');
type Out = Record<string, unknown>;
/** How a flow hands the output to the connector, when it is not the whole output to one operation. */
const projections: Record<string, (o: Out) => Array<[z.ZodType, unknown]>> = {
  'sage300-xcart/shipment-to-shipping-status': (o) => [
    [updateShippingStatus.input, { orderId: o.orderId, code: o.code }],
    ...((o.tracking as Out[] | undefined) ?? []).map((t): [z.ZodType, unknown] => [addTrackingNumber.input, { orderId: o.orderId, value: t.value }]),
  ],
  'sage300-xcart/credit-note-to-refund': (o) => (o.code ? [[updatePaymentStatus.input, { orderId: o.orderId, code: o.code }]] : []),
  'sage300-xcart/ar-customer-to-profile': (o) => [[profileInput, o.profile], [addressInput, o.address]],
};

const pairs: Array<[string, z.ZodType | undefined]> = [
  ['sage300-xcart/item-quantity-to-product-amount', setStock.input],
  ['sage300-xcart/item-to-product', productInput],
  ['sage300-xcart/shipment-to-shipping-status', undefined],
  ['sage300-xcart/credit-note-to-refund', undefined],
  ['sage300-xcart/ar-customer-to-profile', undefined],
  ['xcart-sage300/order-to-oe-order', orderIn],
  ['xcart-sage300/profile-to-ar-customer', createCustomer.input],
  ['xcart-sage300/refund-to-credit-note', createCreditNote.input],
  ['xcart-sage300/payment-to-gl-journal', createJournalBatch.input],
  ['xcart-sage300/payment-to-ar-receipt', createReceiptBatch.input],
  ['sagex3-amazon/order-to-mcf', createFulfillmentOrder.input],
  ['sagex3-amazon/item-to-listing', putListingsItem.input],
  ['amazon-sagex3/order-to-soh', createSchemas.SOH],
  ['amazon-sagex3/buyer-to-bpc', createSchemas.BPC],
  ['amazon-sagex3/settlement-to-sih', createSchemas.SIH],
  ['amazon-sagex3/settlement-to-journal', createSchemas.GAS],
];

describe.each(pairs)('%s → connector input', (spec, schema) => {
  it('every clean case output is accepted by the connector', async () => {
    const m = await loadMapping(path.join(root, `${spec}.yaml`));
    const cases = parse(await readFile(path.join(root, `${spec}.cases.yaml`), 'utf8'), { merge: true }) as { now?: string; cases: Array<{ name: string; input?: unknown }> };
    let checked = 0;
    for (const c of cases.cases) {
      if (c.input === undefined) continue;
      const r = await m.run(c.input, { now: new Date(cases.now ?? '2026-11-22T12:00:00Z') });
      if (r.errors.length) continue;
      const calls: Array<[z.ZodType, unknown]> = schema ? [[schema, r.output]] : projections[spec]!(r.output as Out);
      for (const [sch, value] of calls) {
        const parsed = sch.safeParse(value);
        expect(parsed.success, `${c.name}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues)}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
