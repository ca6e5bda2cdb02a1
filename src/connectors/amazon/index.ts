// The Amazon connector: Selling Partner API (Orders v0, Tokens, Feeds and Reports 2021-06-30, FBA
// Inventory v1, Fulfillment Outbound 2020-07-01, Finances v0, Listings Items 2021-08-01,
// Notifications v1) through a thin in-house client with configurable hosts. Operations live one per
// file in ./operations; workflows (feeds, reports, settlements) in ./workflows.ts; triggers in ./triggers.ts.
import type { ConnectorDefinition } from '../types.js';
import { SpApiClient, amazonConfigSchema, type AmazonConfig, type AmazonConfigInput } from './client.js';
import { AMAZON_RATE_LIMITS } from './limits.js';
import * as ops from './operations/index.js';

export { SpApiClient, amazonConfigSchema, type AmazonConfig, type AmazonConfigInput } from './client.js';
export { AMAZON_RATE_LIMITS } from './limits.js';
export * from './schemas.js';
export * from './operations/index.js';
export * from './paging.js';
export * from './documents.js';
export * from './workflows.js';
export * from './sqs.js';
export * from './triggers.js';

/** The operations, by id (also their rate-limit bucket names). */
export const amazonOperations = ops;

export const amazonConnector: ConnectorDefinition<AmazonConfigInput, SpApiClient> = {
  id: 'amazon',
  name: 'Amazon Selling Partner API',
  apiVersion: 'orders v0, feeds/reports 2021-06-30, fba inventory v1, fulfillment outbound 2020-07-01, finances v0, listings 2021-08-01',
  docs: 'https://developer-docs.amazon.com/sp-api/',
  configSchema: amazonConfigSchema as unknown as ConnectorDefinition<AmazonConfigInput, SpApiClient>['configSchema'],
  rateLimits: AMAZON_RATE_LIMITS,
  createClient(config, deps) {
    return new SpApiClient(config, deps);
  },
  async testConnection(client) {
    // LWA proves the app credentials and refresh token; one cheap read proves the seller grant.
    await client.accessToken();
    await ops.getListingsItem.call(client, { sku: '__syncline_connection_test__', includedData: ['summaries'] }).catch((e: unknown) => {
      if ((e as { code?: string }).code !== 'AMAZON_NOT_FOUND') throw e;
    });
  },
};

export type { AmazonConfig as Config };
