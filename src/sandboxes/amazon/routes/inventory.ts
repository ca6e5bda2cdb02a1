// FBA Inventory API v1: https://developer-docs.amazon.com/sp-api/docs/fba-inventory-api-v1-reference
// nextToken expires 30 (sandbox) seconds after it was issued.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AmazonSandbox } from '../context.js';
import { isoSeconds } from '../clock.js';
import { invalidInput, list, parseDate, spRoute } from '../http.js';
import type { Listing } from '../marketplace.js';
import { readNextToken } from './orders.js';

const PAGE = 50;

export function renderSummary(l: Listing, details: boolean, marketplaceId: string) {
  const f = l.fba;
  const reserved = f.pendingCustomerOrder + f.fcProcessing;
  return {
    asin: l.asin, fnSku: l.fnSku, sellerSku: l.sku, condition: 'NewItem',
    ...(details
      ? {
          inventoryDetails: {
            fulfillableQuantity: f.fulfillable, inboundWorkingQuantity: f.inboundWorking, inboundShippedQuantity: f.inboundShipped, inboundReceivingQuantity: f.inboundReceiving,
            reservedQuantity: { totalReservedQuantity: reserved, pendingCustomerOrderQuantity: f.pendingCustomerOrder, pendingTransshipmentQuantity: 0, fcProcessingQuantity: f.fcProcessing },
            researchingQuantity: { totalResearchingQuantity: f.researching, researchingQuantityBreakdown: [] },
            unfulfillableQuantity: { totalUnfulfillableQuantity: f.unfulfillable, customerDamagedQuantity: f.customerDamaged, warehouseDamagedQuantity: 0, distributorDamagedQuantity: 0, carrierDamagedQuantity: 0, defectiveQuantity: 0, expiredQuantity: 0 },
          },
        }
      : {}),
    lastUpdatedTime: isoSeconds(f.lastUpdated), productName: l.title,
    totalQuantity: f.fulfillable + f.unfulfillable + reserved + f.researching + f.inboundWorking + f.inboundShipped + f.inboundReceiving,
    stores: [marketplaceId],
  };
}

export function registerInventory(app: FastifyInstance, sb: AmazonSandbox): void {
  const pages = new Map<string, { skus: string[]; offset: number; details: boolean; issuedAt: number; marketplaceId: string }>();
  spRoute(app, sb, 'GET', '/fba/inventory/v1/summaries', 'getInventorySummaries', ({ query, rawQuery }) => {
    if (query.granularityType !== 'Marketplace') throw invalidInput(`Invalid granularityType: ${query.granularityType ?? '(missing)'}. The only supported value is Marketplace.`);
    if (!query.granularityId) throw invalidInput('granularityId is required.');
    const markets = list(query.marketplaceIds);
    if (markets.length !== 1) throw invalidInput('marketplaceIds is required and accepts exactly one marketplace id.');
    if (markets[0] !== query.granularityId) throw invalidInput('granularityId must equal the marketplace id given in marketplaceIds.');
    const page = readNextToken(rawQuery, 'nextToken', pages, 'Invalid nextToken.');
    let p = page;
    if (p && sb.clock.now() - p.issuedAt > 30_000) throw invalidInput('The nextToken has expired. A nextToken is valid for 30 seconds; start again without it.');
    if (!p) {
      const skus = list(query.sellerSkus);
      if (skus.length > 50) throw invalidInput('sellerSkus accepts at most 50 SKUs.');
      if (query.sellerSku) skus.push(query.sellerSku);
      const since = parseDate('startDateTime', query.startDateTime);
      if (since !== undefined && since < sb.clock.now() - 548 * 86_400_000) throw invalidInput('startDateTime cannot be more than 18 months in the past.');
      const all = [...sb.market.listings.values()].filter((l) => l.channel === 'AFN' && !l.deleted);
      // startDateTime selects changed items and ignores the SKU filters (as documented).
      const chosen = since !== undefined ? all.filter((l) => l.fba.lastUpdated >= since) : skus.length ? all.filter((l) => skus.includes(l.sku)) : all;
      p = { skus: chosen.map((l) => l.sku).sort(), offset: 0, details: query.details === 'true', issuedAt: 0, marketplaceId: markets[0]! };
    }
    const slice = p.skus.slice(p.offset, p.offset + PAGE);
    const body: Record<string, unknown> = {
      payload: { granularity: { granularityType: 'Marketplace', granularityId: p.marketplaceId }, inventorySummaries: slice.map((s) => renderSummary(sb.market.listings.get(s)!, p.details, p.marketplaceId)) },
    };
    if (p.offset + PAGE < p.skus.length) {
      const t = randomBytes(48).toString('base64');
      pages.set(t, { ...p, offset: p.offset + PAGE, issuedAt: sb.clock.now() });
      body.pagination = { nextToken: t };
    }
    return body;
  });
}
