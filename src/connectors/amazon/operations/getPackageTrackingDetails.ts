import { z } from 'zod';
import { amazonOperation } from './define.js';

export const getPackageTrackingDetails = amazonOperation({
  id: 'getPackageTrackingDetails',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/fulfillment-outbound-api-v2020-07-01-reference#getpackagetrackingdetails',
  input: z.strictObject({ packageNumber: z.number().int() }),
  output: z.looseObject({ packageNumber: z.number().int(), trackingNumber: z.string().optional(), carrierCode: z.string().optional(), currentStatus: z.string().optional(), trackingEvents: z.array(z.looseObject({ eventDate: z.string(), eventCode: z.string(), eventDescription: z.string() })).optional() }),
  async run(client, i) {
    return (await client.call<{ payload?: unknown }>('getPackageTrackingDetails', '/fba/outbound/2020-07-01/tracking', { query: { packageNumber: i.packageNumber } })).body?.payload;
  },
});
