// AR/ARShipToLocations — a customer's delivery addresses (key CustomerNumber + ShipToLocationKey).
// listShipToLocations reads them; createShipToLocation adds one after looking it up by key.
import { z } from 'zod';
import { literal } from '../client.js';
import { SAMPLES, sage300Operation, WEBAPI_DOCS } from './define.js';

export const shipToOut = z.looseObject({ CustomerNumber: z.string(), ShipToLocationKey: z.string(), Description: z.string().optional(), AddressLine1: z.string().optional(), City: z.string().optional(), ZipPostalCode: z.string().optional(), Country: z.string().optional() });

export const listShipToLocations = sage300Operation({
  id: 'listShipToLocations',
  docs: `${WEBAPI_DOCS} (ARShipToLocations)`,
  input: z.strictObject({ customerNumber: z.string().min(1).max(12) }),
  output: z.array(shipToOut),
  run: (client, { customerNumber }) => client.list('listShipToLocations', 'AR', 'ARShipToLocations', shipToOut, { filter: `CustomerNumber eq ${literal(customerNumber)}` }),
});

const s = (max: number) => z.string().max(max).optional();
export const createShipToLocation = sage300Operation({
  id: 'createShipToLocation',
  docs: `${WEBAPI_DOCS} (ARShipToLocations POST); sample ${SAMPLES}/AR/ARShipToLocations.txt`,
  input: z.strictObject({
    CustomerNumber: z.string().min(1).max(12), ShipToLocationKey: z.string().min(1).max(6), Description: s(60), AddressLine1: s(60), AddressLine2: s(60),
    City: s(30), StateProvince: s(30), ZipPostalCode: s(20), Country: s(30), ContactName: s(60), PhoneNumber: s(30), Email: s(50), TaxGroup: s(12),
    PrimaryShipToIndicator: z.enum(['No', 'Yes']).optional(),
  }),
  output: z.object({ created: z.boolean(), shipTo: shipToOut }),
  run: async (client, input) => {
    const key = { CustomerNumber: input.CustomerNumber, ShipToLocationKey: input.ShipToLocationKey };
    const existing = await client.get('createShipToLocation', 'AR', 'ARShipToLocations', key, shipToOut);
    if (existing) return { created: false, shipTo: existing };
    const res = await client.request({ operation: 'createShipToLocation', method: 'POST', path: client.path('AR', 'ARShipToLocations'), body: input, idempotent: false });
    return { created: true, shipTo: shipToOut.parse(res.body) };
  },
});
