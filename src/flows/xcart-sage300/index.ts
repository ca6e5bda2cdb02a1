// Wiring of the X-Cart ↔ Sage 300 flows: which connector operations and triggers each flow uses.
// The flows themselves (one file each) hold only references and pure functions.
import path from 'node:path';
import type { Sage300Client } from '../../connectors/sage300/index.js';
import { createOrder, findOrdersByReference } from '../../connectors/sage300/index.js';
import { createOrderPoller, type XcartClient } from '../../connectors/xcart/index.js';
import { bindFlow } from '../../core/engine.js';
import { loadMapping } from '../../mapping/index.js';
import type { FlowTemplate } from '../types.js';
import { orderToSage300, type OeOrderTarget } from './order-to-sage300.js';

export const MAPPINGS_DIR = path.resolve(import.meta.dirname, '../../../mappings');

export function sage300OeOrders(client: Sage300Client): OeOrderTarget {
  return {
    async findByReference(reference) {
      const [hit] = await findOrdersByReference.call(client, { purchaseOrderNumber: reference });
      return hit?.OrderNumber;
    },
    async create(order) {
      // deliverOnce has already looked the order up when an earlier attempt may have created it.
      const res = await createOrder.call(client, { order: order as never, lookupFirst: false });
      return { orderNumber: res.order.OrderNumber };
    },
    async update(orderNumber, order) {
      // Header fields only, by PATCH: a PUT would purge every detail line not resent (specs §2.3).
      const [existing] = await findOrdersByReference.call(client, { purchaseOrderNumber: String(order.PurchaseOrderNumber) });
      if (!existing || existing.OrderNumber !== orderNumber) return;
      const header = Object.fromEntries(Object.entries(order).filter(([k, v]) => k !== 'OrderDetails' && k !== 'OrderOptionalFields' && typeof v !== 'object'));
      await client.request({ operation: 'updateOrder', method: 'PATCH', path: client.path('OE', 'OEOrders', existing.OrderUniquifier), body: header });
    },
  };
}

export const xcartOrderToSage300: FlowTemplate = {
  id: 'xcart-order-to-sage300',
  description: orderToSage300.description,
  roles: { shop: 'xcart', erp: 'sage300' },
  async build({ clients, connectionIds, mapping, mappingOptions, pollIntervalMs }) {
    const orderMapping = await loadMapping(mapping ?? path.join(MAPPINGS_DIR, 'xcart-sage300/order-to-oe-order.yaml'));
    const shop = clients.shop as XcartClient;
    return {
      bound: bindFlow(orderToSage300, {
        orderMapping,
        mappingContext: mappingOptions ? { options: mappingOptions } : undefined,
        sage300: sage300OeOrders(clients.erp as Sage300Client),
      }),
      pollers: [{ poller: createOrderPoller(shop, { id: `${connectionIds.shop}:orders` }), intervalMs: pollIntervalMs, connection: connectionIds.shop! }],
    };
  },
};
