// Published usage plans (rate req/s, burst) from each operation's "Usage Plan" table in the official
// models (amazon-models/*.json). Amazon keeps one token bucket per selling partner and operation.
export interface UsagePlan {
  rate: number;
  burst: number;
}

export const USAGE_PLANS: Record<string, UsagePlan> = {
  // Orders v0
  getOrders: { rate: 0.0167, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
  getOrderBuyerInfo: { rate: 0.5, burst: 30 },
  getOrderAddress: { rate: 0.5, burst: 30 },
  getOrderItems: { rate: 0.5, burst: 30 },
  getOrderItemsBuyerInfo: { rate: 0.5, burst: 30 },
  confirmShipment: { rate: 2, burst: 10 },
  // Tokens
  createRestrictedDataToken: { rate: 1, burst: 10 },
  // Feeds 2021-06-30
  getFeeds: { rate: 0.0222, burst: 10 },
  createFeed: { rate: 0.0083, burst: 15 },
  getFeed: { rate: 2, burst: 15 },
  cancelFeed: { rate: 2, burst: 15 },
  createFeedDocument: { rate: 0.5, burst: 15 },
  getFeedDocument: { rate: 0.0222, burst: 10 },
  // Reports 2021-06-30
  getReports: { rate: 0.0222, burst: 10 },
  createReport: { rate: 0.0167, burst: 15 },
  getReport: { rate: 2, burst: 15 },
  cancelReport: { rate: 0.0222, burst: 10 },
  getReportDocument: { rate: 0.0167, burst: 15 },
  // FBA Inventory v1
  getInventorySummaries: { rate: 2, burst: 2 },
  // Fulfillment Outbound 2020-07-01
  createFulfillmentOrder: { rate: 2, burst: 30 },
  getFulfillmentOrder: { rate: 2, burst: 30 },
  listAllFulfillmentOrders: { rate: 2, burst: 30 },
  cancelFulfillmentOrder: { rate: 2, burst: 30 },
  getPackageTrackingDetails: { rate: 2, burst: 30 },
  // Finances v0
  listFinancialEventGroups: { rate: 0.5, burst: 30 },
  listFinancialEventsByGroupId: { rate: 0.5, burst: 30 },
  listFinancialEventsByOrderId: { rate: 0.5, burst: 30 },
  listFinancialEvents: { rate: 0.5, burst: 30 },
  // Listings Items 2021-08-01
  getListingsItem: { rate: 5, burst: 10 },
  putListingsItem: { rate: 5, burst: 10 },
  patchListingsItem: { rate: 5, burst: 5 },
  deleteListingsItem: { rate: 5, burst: 5 },
  // Notifications v1
  getSubscription: { rate: 1, burst: 5 },
  createSubscription: { rate: 1, burst: 5 },
  deleteSubscriptionById: { rate: 1, burst: 5 },
  getDestinations: { rate: 1, burst: 5 },
  createDestination: { rate: 1, burst: 5 },
};

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets per (seller, operation) on the sandbox clock. */
export class SandboxBuckets {
  enabled = true;
  private readonly buckets = new Map<string, Bucket>();
  private readonly overrides = new Map<string, UsagePlan>();

  constructor(private readonly now: () => number) {}

  plan(operation: string): UsagePlan | undefined {
    return this.overrides.get(operation) ?? USAGE_PLANS[operation];
  }

  override(operation: string, plan: UsagePlan): void {
    this.overrides.set(operation, plan);
    this.reset();
  }

  reset(): void {
    this.buckets.clear();
  }

  /** Takes one token; false when the bucket is empty (→ 429 QuotaExceeded). */
  take(seller: string, operation: string): boolean {
    if (!this.enabled) return true;
    const plan = this.plan(operation);
    if (!plan) return true;
    const key = `${seller}\u0000${operation}`;
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: plan.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(plan.burst, b.tokens + ((now - b.at) / 1000) * plan.rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
