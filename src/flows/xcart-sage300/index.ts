// Wiring of the X-Cart ↔ Sage 300 flows: which connector operations and triggers each flow uses.
// The flows themselves (one file each) hold only references and pure functions.
import path from 'node:path';
import type { Sage300Client } from '../../connectors/sage300/index.js';
import { createOrder, findOrdersByReference, updateOrder } from '../../connectors/sage300/index.js';
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
      // PATCH, never PUT (a PUT purges every detail line not resent). A newer shop version changes
      // what an order desk may still change: description, comment, ship-via; lines stay as entered.
      const [existing] = await findOrdersByReference.call(client, { purchaseOrderNumber: String(order.PurchaseOrderNumber) });
      if (!existing || existing.OrderNumber !== orderNumber) return;
      const header: Record<string, unknown> = {};
      for (const k of ['OrderDescription', 'OrderComment', 'ShipViaCode'] as const) if (typeof order[k] === 'string') header[k] = order[k];
      await updateOrder.call(client, { orderUniquifier: existing.OrderUniquifier, header });
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
