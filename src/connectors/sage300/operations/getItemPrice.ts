// GET IC/ICItemPricing — an item's selling price in one price list and currency (the unit price of
// its first pricing detail): what the catalog flow puts on the shop's product.
import { z } from 'zod';
import { literal } from '../client.js';
import { itemPricingOut as pricingOut, unformattedItemNumber } from '../schemas.js';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const getItemPrice = sage300Operation({
  id: 'getItemPrice',
  docs: `${WEBAPI_DOCS} (ICItemPricing)`,
  input: z.strictObject({ itemNumber: z.string().min(1).max(24), priceList: z.string().min(1).max(6).default('RTL'), currency: z.string().length(3).default('USD') }),
  output: z.array(z.object({ CurrencyCode: z.string(), PriceListCode: z.string(), UnitPrice: z.string() })),
  async run(client, { itemNumber, priceList, currency }) {
    const unformatted = unformattedItemNumber(itemNumber);
    const rows = await client.list('getItemPrice', 'IC', 'ICItemPricing', pricingOut, {
      filter: `UnformattedItemNumber eq ${literal(unformatted)} and PriceListCode eq ${literal(priceList)} and CurrencyCode eq ${literal(currency)}`,
    });
    return rows.flatMap((r) => {
      const price = r.ItemPricingDetails?.[0]?.UnitPrice;
      return price === undefined ? [] : [{ CurrencyCode: r.CurrencyCode, PriceListCode: r.PriceListCode, UnitPrice: String(price) }];
    });
  },
});
