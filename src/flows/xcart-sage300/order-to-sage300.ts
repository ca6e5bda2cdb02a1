// X-Cart order → Sage 300 OE sales order: map → validate → deliver once.
// The X-Cart order number travels in PurchaseOrderNumber and OrderReference; Sage 300 has no
// idempotency keys, so a retry after an unknown outcome finds the order by that reference first.
import { defineFlow } from '../../core/flow.js';
import { deliverOnce } from '../../core/xref.js';
import { mappingError, type CompiledMapping, type MappingContext, type MappingResult } from '../../mapping/index.js';

/** What the flow needs from Sage 300; wired by main.ts from the Sage 300 connector. */
export interface OeOrderTarget {
  /** Order number of the order whose PurchaseOrderNumber / OrderReference equals `reference`, if any. */
  findByReference(reference: string): Promise<string | undefined>;
  create(order: Record<string, unknown>): Promise<{ orderNumber: string }>;
  /** Applies a newer version of the shop order to an existing OE order (PATCH, not PUT). */
  update(orderNumber: string, order: Record<string, unknown>): Promise<void>;
}

export interface OrderToSage300Deps {
  orderMapping: CompiledMapping;
  mappingContext?: MappingContext;
  sage300: OeOrderTarget;
}

export const orderToSage300 = defineFlow<OrderToSage300Deps>({
  id: 'xcart-order-to-sage300',
  description: 'X-Cart order → Sage 300 OE sales order (idempotent by PurchaseOrderNumber)',
  source: { system: 'xcart', entity: 'order' },
  target: { system: 'sage300', entity: 'oe-order' },
  connection: 'sage300',
  steps: [
    {
      name: 'map',
      run: (order, ctx) => ctx.deps.orderMapping.run(order, ctx.deps.mappingContext),
    },
    {
      name: 'validate',
      run: (result: MappingResult, ctx) => {
        // Every problem at once (unknown SKUs with suggestions, missing fields), as one user error.
        if (result.errors.length) throw mappingError(result, ctx.deps.orderMapping);
        return { order: result.output as Record<string, unknown>, warnings: result.warnings, rates: result.rates };
      },
    },
    {
      name: 'deliver',
      run: async ({ order }: { order: Record<string, unknown> }, ctx) => {
        const reference = String(order.PurchaseOrderNumber);
        const delivery = await deliverOnce({
          xref: ctx.xref,
          source: { system: 'xcart', entity: 'order', id: ctx.event.id },
          target: { system: 'sage300', entity: 'oe-order' },
          mayHaveRun: ctx.mayHaveRun,
          findByReference: () => ctx.deps.sage300.findByReference(reference),
          create: async () => ({ id: (await ctx.deps.sage300.create(order)).orderNumber }),
          update: (orderNumber) => ctx.deps.sage300.update(orderNumber, order),
        });
        ctx.link(...delivery.link);
        return { action: delivery.action, orderNumber: delivery.targetId, reference };
      },
    },
  ],
});
