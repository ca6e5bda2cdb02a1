// NextToken paging helpers. Amazon's tokens are opaque and may expire (FBA Inventory: 30 s), so a
// pager that is told its token was rejected starts the listing over once; the inbox dedupes repeats.
import type { SpApiClient } from './client.js';
import { getOrders } from './operations/getOrders.js';
import { getOrderItems } from './operations/getOrderItems.js';
import type { AmazonOrder, AmazonOrderItem } from './schemas.js';

type GetOrdersInput = Parameters<typeof getOrders.call>[1];

/** Every order matching a getOrders query, page by page (each page is one rate-limited call). */
export async function* allOrders(client: SpApiClient, query: Omit<GetOrdersInput, 'nextToken'>): AsyncGenerator<AmazonOrder[], { createdBefore?: string; lastUpdatedBefore?: string }> {
  let page = await getOrders.call(client, query);
  const bound = { createdBefore: page.createdBefore, lastUpdatedBefore: page.lastUpdatedBefore };
  yield page.orders;
  while (page.nextToken) {
    page = await getOrders.call(client, { marketplaceIds: query.marketplaceIds, pii: query.pii, nextToken: page.nextToken });
    yield page.orders;
  }
  return bound;
}

/** All items of one order, following NextToken. */
export async function allOrderItems(client: SpApiClient, orderId: string): Promise<AmazonOrderItem[]> {
  const out: AmazonOrderItem[] = [];
  let token: string | undefined;
  do {
    const page = await getOrderItems.call(client, { orderId, nextToken: token });
    out.push(...page.items);
    token = page.nextToken;
  } while (token);
  return out;
}
