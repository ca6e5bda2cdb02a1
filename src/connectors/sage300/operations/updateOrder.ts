// PATCH OE/OEOrders(OrderUniquifier): header fields sent are changed, each detail line by its
// UpdateOperation (Insert, Update, Delete, Unspecified = upsert by LineNumber); lines not sent stay.
// Never PUT: Sage purges the detail lines a PUT does not resend. Only on a server that takes PATCH on
// OE orders (the Aug 2022 Endpoint Reference lists GET and POST only): elsewhere SAGE300_NOT_SUPPORTED,
// before anything is sent (the connection test, or the first call, finds out which server it is).
import { z } from 'zod';
import { wireNumber } from '../client.js';
import { decimalIn, optionalFieldIn, orderIn, orderOut } from '../schemas.js';
import { patchRefused, requireOrderPatch, sage300Operation, WEBAPI_DOCS } from './define.js';

const line = z.strictObject({
  UpdateOperation: z.enum(['Insert', 'Update', 'Delete', 'Unspecified']),
  LineNumber: z.number().int().positive().optional(),
  LineType: z.enum(['Item', 'Miscellaneous']).optional(),
  Item: z.string().min(1).max(24).optional(),
  Location: z.string().min(1).max(6).optional(),
  QuantityOrdered: decimalIn.optional(),
  PricingUnitPrice: decimalIn.optional(),
  OrderDiscountAmount: decimalIn.optional(),
  MiscellaneousChargesCode: z.string().min(1).max(6).optional(),
  ExtendedAmount: decimalIn.optional(),
  Description: z.string().max(60).optional(),
}).refine((l) => l.UpdateOperation === 'Insert' || l.LineNumber !== undefined, 'Update, Delete and Unspecified need the LineNumber');

const SHIP_TO = {
  ShipToName: true, ShipToAddressLine1: true, ShipToAddressLine2: true, ShipToAddressLine3: true, ShipToAddressLine4: true, ShipToCity: true,
  ShipToStateProvince: true, ShipToZipPostalCode: true, ShipToCountry: true, ShipToPhoneNumber: true, ShipToContact: true, ShipToContactEmail: true, ShipToEmail: true,
} as const;

const NUMERIC = new Set(['QuantityOrdered', 'PricingUnitPrice', 'OrderDiscountAmount', 'ExtendedAmount']);

export const updateOrder = sage300Operation({
  id: 'updateOrder',
  docs: `${WEBAPI_DOCS} (OEOrders PATCH with detail UpdateOperation)`,
  input: z.strictObject({
    orderUniquifier: z.number().int().positive(),
    header: z.strictObject({
      OrderDescription: z.string().max(60).optional(), OrderComment: z.string().max(250).optional(), OrderReference: z.string().max(60).optional(),
      ExpectedShipDate: z.string().regex(/^\d{4}-\d{2}-\d{2}/).optional(), ShipViaCode: z.string().max(6).optional(),
      ShipmentTrackingNumber: z.string().max(36).optional(), OnHold: z.boolean().optional(), OrderOptionalFields: z.array(optionalFieldIn).optional(),
      // The ship-to address, as at creation ('' clears a field); the PATCH changes what is sent.
      ...orderIn.pick(SHIP_TO).shape,
    }).default({}),
    lines: z.array(line).default([]),
  }),
  output: orderOut,
  run: async (client, input) => {
    const details = { orderUniquifier: input.orderUniquifier };
    await requireOrderPatch(client, 'updateOrder', 'change an existing order', details);
    const body: Record<string, unknown> = { ...input.header };
    if (input.lines.length) {
      body.OrderDetails = input.lines.map((l, i) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, NUMERIC.has(k) ? wireNumber(v as string | number, `lines[${i}].${k}`, 'updateOrder') : v])));
    }
    const res = await client.request({ operation: 'updateOrder', method: 'PATCH', path: client.path('OE', 'OEOrders', input.orderUniquifier), body, idempotent: false })
      .catch((e: unknown) => { throw patchRefused(client, e, 'updateOrder', 'change an existing order', details); });
    if (res.body && typeof res.body === 'object') return orderOut.parse(res.body);
    return orderOut.parse(await client.get('updateOrder', 'OE', 'OEOrders', input.orderUniquifier, orderOut));
  },
});
