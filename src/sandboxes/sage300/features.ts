// Which Sage 300 Web API this sandbox plays. Defaults follow Sage's Aug 2022 Endpoint Reference
// (SageNADev/Sage300-SDK docs/webapi): OEOrders takes GET and POST only; counts come back as the
// Developer Reference prints them ("odata.count":"625"). Later releases may differ (PATCH on OE
// orders); the settings below let a test play such a server. Extensions (resources the real API does
// not have) stay on and are labelled in $metadata and with an x-sandbox-extension header.
import { z } from 'zod';

export const sage300FeaturesSchema = z.strictObject({
  /** A Sage 300 release whose OEOrders also takes PATCH (partial update with detail UpdateOperation). */
  oeOrderPatch: z.boolean().default(false),
  /** `$count=true` answer: the documented `"odata.count":"N"` (string) or OData v4's `"@odata.count":N`. */
  countFormat: z.enum(['documented', 'v4']).default('documented'),
  /** Extension resources: IC/ICLocationDetails (ICILOC quantities) and OE/OEShipments (OESHIH). */
  extensions: z.strictObject({
    stock: z.boolean().default(true),
    shipments: z.boolean().default(true),
  }).prefault({}),
});
export type Sage300Features = z.output<typeof sage300FeaturesSchema>;
