// GET OE/OEOrders(OrderUniquifier) or, by the number people see, OEOrders?$filter=OrderNumber eq '…'.
import { z } from 'zod';
import { literal } from '../client.js';
import { orderOut } from '../schemas.js';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const getOrder = sage300Operation({
  id: 'getOrder',
  docs: `${WEBAPI_DOCS} (OEOrders)`,
  input: z.union([
    z.strictObject({ orderUniquifier: z.number().int().positive() }),
    z.strictObject({ orderNumber: z.string().min(1).max(22) }),
  ]),
  output: orderOut.nullable(),
  run: async (client, input) => {
    if ('orderUniquifier' in input) return (await client.get('getOrder', 'OE', 'OEOrders', input.orderUniquifier, orderOut)) ?? null;
    const [hit] = await client.list('getOrder', 'OE', 'OEOrders', orderOut, { filter: `OrderNumber eq ${literal(input.orderNumber)}`, limit: 1 });
    return hit ?? null;
  },
});
