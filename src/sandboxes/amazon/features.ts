// Which SP-API the sandbox plays. Default: what sellers observe, not only what the models promise.
// The models document x-amzn-RateLimit-Limit on 200/400/404, but it is reported missing on
// getOrderItems, getOrderBuyerInfo, getOrderAddress and the Sellers API, and Amazon's guidance is not
// to rely on it (amzn/selling-partner-api-models issues; docs/connectors/amazon.md "Fidelity").
import { z } from 'zod';

/** Operations whose answers carry no x-amzn-RateLimit-Limit by default. */
export const RATE_HEADER_MISSING = new Set(['getOrderItems', 'getOrderBuyerInfo', 'getOrderAddress', 'getMarketplaceParticipations']);

export const amazonFeaturesSchema = z.strictObject({
  /** `observed` (default): absent on RATE_HEADER_MISSING; `always`: as the models document; `never`: on no answer. */
  rateLimitHeader: z.enum(['observed', 'always', 'never']).default('observed'),
});
export type AmazonFeatures = z.output<typeof amazonFeaturesSchema>;

export function sendsRateHeader(features: AmazonFeatures, operation: string): boolean {
  if (features.rateLimitHeader === 'always') return true;
  if (features.rateLimitHeader === 'never') return false;
  return !RATE_HEADER_MISSING.has(operation);
}
