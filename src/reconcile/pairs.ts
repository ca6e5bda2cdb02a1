// The reconciliations a deployment can run from the admin API (and the console's dashboard): one per
// pair whose two systems it has exactly one connection of each, over the live clients.
import type { Sage300Client } from '../connectors/sage300/index.js';
import type { XcartClient } from '../connectors/xcart/index.js';
import type { SpApiClient } from '../connectors/amazon/index.js';
import type { SageX3Client } from '../connectors/sagex3/index.js';

export interface ReconcileOutcome {
  /** One line: what was compared. */
  summary: string;
  differences: Array<{ kind: string; key: string; amount: string; detail?: string }>;
}
export type Reconciler = () => Promise<ReconcileOutcome>;

export function reconcilersFor(connections: Array<{ id: string; system: string }>, client: (id: string) => unknown): Record<string, Reconciler> {
  const only = (system: string) => {
    const c = connections.filter((x) => x.system === system);
    return c.length === 1 ? c[0]!.id : undefined;
  };
  const out: Record<string, Reconciler> = {};
  const xcart = only('xcart');
  const sage300 = only('sage300');
  if (xcart && sage300) {
    out['xcart-sage300'] = async () => {
      const { reconcileXcartSage300 } = await import('./xcart-sage300.js');
      const r = await reconcileXcartSage300(client(xcart) as XcartClient, client(sage300) as Sage300Client);
      return {
        summary: `orders ${r.orders.xcart} in X-Cart, ${r.orders.inSage300} in Sage 300 · customers ${r.customers.xcart} / ${r.customers.inSage300} · stock ${r.stock.compared} SKUs · payments ${r.payments.xcart} / ${r.payments.inSage300} · credit notes ${r.creditNotes.inSage300}`,
        differences: r.differences,
      };
    };
  }
  const amazon = only('amazon');
  const x3 = only('sagex3');
  if (amazon && x3) {
    out['amazon-sagex3'] = async () => {
      const { reconcileAmazonX3 } = await import('../settlement/reconcile.js');
      const r = await reconcileAmazonX3(client(amazon) as SpApiClient, client(x3) as SageX3Client);
      return { summary: `orders ${r.orders.checked} checked, ${r.orders.inX3} in Sage X3 · settlements ${r.settlements.checked} checked, ${r.settlements.posted} posted · credit notes ${r.creditNotes.checked}`, differences: r.differences.map((d) => ({ kind: d.kind, key: d.id, amount: `${d.amount}${d.currency ? ` ${d.currency}` : ''}` })) };
    };
  }
  return out;
}
