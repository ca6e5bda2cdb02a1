import { z } from 'zod';
import { amazonOperation } from './define.js';
import { isoDateTime, mcfAddressSchema, mcfMoneySchema } from '../schemas.js';

export const fulfillmentOrderIdSchema = z.string().min(1).max(40);

// Not idempotent on the wire, but sellerFulfillmentOrderId is a natural key: after an unknown outcome
// look it up with getFulfillmentOrder before creating again (Amazon answers 400 for a duplicate).
export const createFulfillmentOrder = amazonOperation({
  id: 'createFulfillmentOrder',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/fulfillment-outbound-api-v2020-07-01-reference#createfulfillmentorder',
  input: z.strictObject({
    marketplaceId: z.string().optional(),
    sellerFulfillmentOrderId: fulfillmentOrderIdSchema,
    displayableOrderId: z.string().min(1).max(40),
    displayableOrderDate: isoDateTime,
    displayableOrderComment: z.string().min(1).max(750),
    shippingSpeedCategory: z.enum(['Standard', 'Expedited', 'Priority', 'ScheduledDelivery']),
    destinationAddress: mcfAddressSchema,
    fulfillmentAction: z.enum(['Ship', 'Hold']).optional(),
    fulfillmentPolicy: z.enum(['FillOrKill', 'FillAll', 'FillAllAvailable']).optional(),
    notificationEmails: z.array(z.email()).optional(),
    items: z.array(z.strictObject({
      sellerSku: z.string().min(1).max(50),
      sellerFulfillmentOrderItemId: z.string().min(1).max(50),
      quantity: z.number().int().positive(),
      giftMessage: z.string().max(512).optional(),
      displayableComment: z.string().max(250).optional(),
      perUnitDeclaredValue: mcfMoneySchema.optional(),
      perUnitPrice: mcfMoneySchema.optional(),
      perUnitTax: mcfMoneySchema.optional(),
    })).min(1),
  }),
  output: z.object({ created: z.literal(true), sellerFulfillmentOrderId: z.string() }),
  async run(client, i) {
    await client.call('createFulfillmentOrder', '/fba/outbound/2020-07-01/fulfillmentOrders', { method: 'POST', body: i });
    return { created: true, sellerFulfillmentOrderId: i.sellerFulfillmentOrderId };
  },
});
