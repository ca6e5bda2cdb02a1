// Listings Items API 2021-08-01: https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference
// get, put, patch (both with mode=VALIDATION_PREVIEW) and delete, sharing the feed's patch grammar.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AmazonSandbox } from '../context.js';
import { isoMillis } from '../clock.js';
import { SpApiError, invalidInput, list, parseBody, spRoute } from '../http.js';
import { applyChange, validateMessage, type Issue } from '../listing-ops.js';
import { CURRENCY } from '../marketplace.js';

const INCLUDED = ['summaries', 'attributes', 'issues', 'offers', 'fulfillmentAvailability', 'procurement', 'relationships', 'productTypes'];

export function registerListings(app: FastifyInstance, sb: AmazonSandbox): void {
  const base = '/listings/2021-08-01/items/:sellerId/:sku';
  const check = (params: Record<string, string>, query: Record<string, string | undefined>) => {
    if (params.sellerId !== sb.creds.sellerId) throw new SpApiError(403, 'Unauthorized', 'Access to requested resource is denied.', `The sellerId ${params.sellerId} does not match the selling partner of the access token.`);
    const markets = list(query.marketplaceIds);
    if (markets.length !== 1) throw invalidInput('marketplaceIds is required and accepts exactly one marketplace id.');
    if (query.mode !== undefined && query.mode !== 'VALIDATION_PREVIEW') throw invalidInput(`Invalid mode: ${query.mode}`);
    return { marketplaceId: markets[0]!, preview: query.mode === 'VALIDATION_PREVIEW' };
  };
  const submission = (sku: string, issues: Issue[], preview: boolean) => {
    const bad = issues.some((i) => i.severity === 'ERROR');
    return {
      sku, status: bad ? 'INVALID' : preview ? 'VALID' : 'ACCEPTED', submissionId: randomBytes(16).toString('hex'),
      issues: issues.map((i) => ({
        code: i.code, message: i.message, severity: i.severity, ...(i.attributeName ? { attributeNames: [i.attributeName] } : {}),
        categories: [i.code === 'MISSING_ATTRIBUTE' ? 'MISSING_ATTRIBUTE' : i.code === 'NOT_FOUND' ? 'INVALID_ATTRIBUTE' : 'INVALID_ATTRIBUTE'],
      })),
    };
  };

  spRoute(app, sb, 'GET', base, 'getListingsItem', ({ params, query }) => {
    const { marketplaceId } = check(params, query);
    const l = sb.market.listings.get(decodeURIComponent(params.sku!));
    if (!l || l.deleted) throw new SpApiError(404, 'NotFound', `SKU '${params.sku}' not found in marketplace ${marketplaceId}`);
    const included = query.includedData ? list(query.includedData) : ['summaries'];
    for (const i of included) if (!INCLUDED.includes(i)) throw invalidInput(`Invalid includedData value: ${i}`);
    const out: Record<string, unknown> = { sku: l.sku };
    if (included.includes('summaries')) out.summaries = [{ marketplaceId, asin: l.asin, productType: l.productType, conditionType: 'new_new', status: ['BUYABLE', 'DISCOVERABLE'], fnSku: l.fnSku, itemName: l.title, createdDate: isoMillis(l.createdAt), lastUpdatedDate: isoMillis(l.updatedAt) }];
    if (included.includes('attributes')) out.attributes = l.attributes;
    if (included.includes('issues')) out.issues = [];
    if (included.includes('offers')) out.offers = [{ marketplaceId, offerType: 'B2C', price: { currencyCode: CURRENCY, amount: l.price } }];
    if (included.includes('fulfillmentAvailability')) out.fulfillmentAvailability = l.channel === 'MFN' ? [{ fulfillmentChannelCode: 'DEFAULT', quantity: l.mfnQuantity }] : [{ fulfillmentChannelCode: 'AMAZON_NA', quantity: l.fba.fulfillable }];
    return out;
  });

  const submit = (operationType: 'UPDATE' | 'PATCH') => ({ params, query, req }: { params: Record<string, string>; query: Record<string, string | undefined>; req: import('fastify').FastifyRequest }) => {
    const { preview } = check(params, query);
    const b = parseBody(req);
    const sku = decodeURIComponent(params.sku!);
    const msg = { messageId: 1, sku, operationType, productType: b.productType, ...(operationType === 'UPDATE' ? { attributes: b.attributes } : { patches: b.patches }) };
    const schemaIssues = validateMessage(msg);
    if (schemaIssues.length) throw invalidInput(schemaIssues.map((i) => i.message).join(' '));
    return submission(sku, applyChange(sb.market, { sku, operationType, productType: b.productType, attributes: b.attributes, patches: b.patches }, preview), preview);
  };
  spRoute(app, sb, 'PUT', base, 'putListingsItem', submit('UPDATE'));
  spRoute(app, sb, 'PATCH', base, 'patchListingsItem', submit('PATCH'));
  spRoute(app, sb, 'DELETE', base, 'deleteListingsItem', ({ params, query }) => {
    check(params, query);
    const sku = decodeURIComponent(params.sku!);
    return submission(sku, applyChange(sb.market, { sku, operationType: 'DELETE' }, false), false);
  });
}
