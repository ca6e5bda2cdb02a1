// Shapes shared by the Finances v0 operations.
import { z } from 'zod';
import { financesCurrencySchema } from '../schemas.js';

const charge = z.looseObject({ ChargeType: z.string().optional(), ChargeAmount: financesCurrencySchema.optional() });
const fee = z.looseObject({ FeeType: z.string().optional(), FeeAmount: financesCurrencySchema.optional() });
const promo = z.looseObject({ PromotionType: z.string().optional(), PromotionId: z.string().optional(), PromotionAmount: financesCurrencySchema.optional() });
const withheld = z.looseObject({ TaxCollectionModel: z.string().optional(), TaxesWithheld: z.array(charge).optional() });
const shipmentItem = z.looseObject({
  SellerSKU: z.string().optional(), OrderItemId: z.string().optional(), OrderAdjustmentItemId: z.string().optional(), QuantityShipped: z.number().int().optional(),
  ItemChargeList: z.array(charge).optional(), ItemChargeAdjustmentList: z.array(charge).optional(), ItemFeeList: z.array(fee).optional(), ItemFeeAdjustmentList: z.array(fee).optional(),
  ItemTaxWithheldList: z.array(withheld).optional(), PromotionList: z.array(promo).optional(), PromotionAdjustmentList: z.array(promo).optional(),
});
const shipmentEvent = z.looseObject({
  AmazonOrderId: z.string().optional(), SellerOrderId: z.string().optional(), MarketplaceName: z.string().optional(), PostedDate: z.string().optional(),
  ShipmentItemList: z.array(shipmentItem).optional(), ShipmentItemAdjustmentList: z.array(shipmentItem).optional(),
});
export const financialEventsSchema = z.looseObject({
  ShipmentEventList: z.array(shipmentEvent).optional(),
  RefundEventList: z.array(shipmentEvent).optional(),
  ServiceFeeEventList: z.array(z.looseObject({ FeeDescription: z.string().optional(), FeeList: z.array(fee).optional() })).optional(),
  AdjustmentEventList: z.array(z.looseObject({ AdjustmentType: z.string().optional(), PostedDate: z.string().optional(), AdjustmentAmount: financesCurrencySchema.optional() })).optional(),
});
export const eventsPageSchema = z.object({ events: financialEventsSchema, nextToken: z.string().optional() });
export type FinancialEvents = z.output<typeof financialEventsSchema>;
