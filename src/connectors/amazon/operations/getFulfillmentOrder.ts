import { z } from 'zod';
import { amazonOperation } from './define.js';
import { fulfillmentOrderIdSchema } from './createFulfillmentOrder.js';

const pkg = z.looseObject({ packageNumber: z.number().int(), carrierCode: z.string(), trackingNumber: z.string().optional(), estimatedArrivalDate: z.string().optional() });

export const getFulfillmentOrder = amazonOperation({
  id: 'getFulfillmentOrder',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/fulfillment-outbound-api-v2020-07-01-reference#getfulfillmentorder',
  input: z.strictObject({ sellerFulfillmentOrderId: fulfillmentOrderIdSchema }),
  output: z.looseObject({
    fulfillmentOrder: z.looseObject({
      sellerFulfillmentOrderId: z.string(),
      fulfillmentOrderStatus: z.enum(['New', 'Received', 'Planning', 'Processing', 'Cancelled', 'Complete', 'CompletePartialled', 'Unfulfillable', 'Invalid']),
      statusUpdatedDate: z.string(),
      receivedDate: z.string(),
    }),
    fulfillmentOrderItems: z.array(z.looseObject({ sellerSku: z.string(), sellerFulfillmentOrderItemId: z.string(), quantity: z.number().int(), cancelledQuantity: z.number().int(), unfulfillableQuantity: z.number().int() })),
    fulfillmentShipments: z.array(z.looseObject({
      amazonShipmentId: z.string(),
      fulfillmentCenterId: z.string(),
      fulfillmentShipmentStatus: z.enum(['PENDING', 'SHIPPED', 'CANCELLED_BY_FULFILLER', 'CANCELLED_BY_SELLER']),
      shippingDate: z.string().optional(),
      fulfillmentShipmentItem: z.array(z.looseObject({ sellerSku: z.string(), quantity: z.number().int(), packageNumber: z.number().int().optional() })),
      fulfillmentShipmentPackage: z.array(pkg).optional(),
    })).optional(),
    returnItems: z.array(z.unknown()),
    returnAuthorizations: z.array(z.unknown()),
  }),
  async run(client, i) {
    return (await client.call<{ payload?: unknown }>('getFulfillmentOrder', `/fba/outbound/2020-07-01/fulfillmentOrders/${encodeURIComponent(i.sellerFulfillmentOrderId)}`)).body?.payload;
  },
});
