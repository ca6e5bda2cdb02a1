import { z } from 'zod';
import { amazonOperation } from './define.js';
import { isoDateTime } from '../schemas.js';
import { orderIdSchema } from './getOrder.js';

// Merchant-fulfilled orders only: tells Amazon a package left (carrier, tracking, which units).
// Not idempotent on Amazon's side for partial shipments: confirm each package once (key it by
// packageReferenceId in the flow) and read the order back after an unknown outcome.
export const confirmShipment = amazonOperation({
  id: 'confirmShipment',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#confirmshipment',
  input: z.strictObject({
    orderId: orderIdSchema,
    marketplaceId: z.string().optional(),
    packageReferenceId: z.string().min(1),
    carrierCode: z.string().min(1),
    carrierName: z.string().optional(),
    shippingMethod: z.string().optional(),
    trackingNumber: z.string().min(1),
    shipDate: isoDateTime,
    items: z.array(z.strictObject({ orderItemId: z.string().min(1), quantity: z.number().int().positive() })).min(1),
  }),
  output: z.object({ confirmed: z.literal(true) }),
  async run(client, i) {
    const body = {
      marketplaceId: i.marketplaceId ?? client.config.marketplaceIds[0]!,
      packageDetail: {
        packageReferenceId: i.packageReferenceId, carrierCode: i.carrierCode, ...(i.carrierName ? { carrierName: i.carrierName } : {}),
        ...(i.shippingMethod ? { shippingMethod: i.shippingMethod } : {}), trackingNumber: i.trackingNumber, shipDate: i.shipDate,
        orderItems: i.items.map((it) => ({ orderItemId: it.orderItemId, quantity: it.quantity })),
      },
    };
    await client.call('confirmShipment', `/orders/v0/orders/${encodeURIComponent(i.orderId)}/shipmentConfirmation`, { method: 'POST', body });
    return { confirmed: true };
  },
});
