// Published usage plans (requests per second, burst) from the "Usage Plan" table of each operation
// in Amazon's models (github.com/amzn/selling-partner-api-models). Amazon may grant a seller other
// values; the client re-reads them from x-amzn-RateLimit-Limit on every answer.
import type { RateLimit } from '../../core/rate-limit.js';

const plan = (ratePerSec: number, burst: number): RateLimit => ({ ratePerSec, burst });

export const AMAZON_RATE_LIMITS: Record<string, RateLimit> = {
  getOrders: plan(0.0167, 20),
  getOrder: plan(0.5, 30),
  getOrderItems: plan(0.5, 30),
  getOrderAddress: plan(0.5, 30),
  getOrderBuyerInfo: plan(0.5, 30),
  confirmShipment: plan(2, 10),
  createRestrictedDataToken: plan(1, 10),
  createFeedDocument: plan(0.5, 15),
  createFeed: plan(0.0083, 15),
  getFeed: plan(2, 15),
  cancelFeed: plan(2, 15),
  getFeeds: plan(0.0222, 10),
  getFeedDocument: plan(0.0222, 10),
  createReport: plan(0.0167, 15),
  getReport: plan(2, 15),
  getReports: plan(0.0222, 10),
  cancelReport: plan(0.0222, 10),
  getReportDocument: plan(0.0167, 15),
  getInventorySummaries: plan(2, 2),
  createFulfillmentOrder: plan(2, 30),
  getFulfillmentOrder: plan(2, 30),
  cancelFulfillmentOrder: plan(2, 30),
  listAllFulfillmentOrders: plan(2, 30),
  getPackageTrackingDetails: plan(2, 30),
  listFinancialEventGroups: plan(0.5, 30),
  listFinancialEventsByGroupId: plan(0.5, 30),
  listFinancialEventsByOrderId: plan(0.5, 30),
  listFinancialEvents: plan(0.5, 30),
  getListingsItem: plan(5, 10),
  putListingsItem: plan(5, 10),
  patchListingsItem: plan(5, 5),
  deleteListingsItem: plan(5, 5),
  createDestination: plan(1, 5),
  getDestinations: plan(1, 5),
  createSubscription: plan(1, 5),
  getSubscription: plan(1, 5),
  deleteSubscriptionById: plan(1, 5),
};
