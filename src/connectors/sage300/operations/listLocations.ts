// GET IC/ICLocations — the warehouse location master (no quantities: those are in ICILOC).
import { z } from 'zod';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const locationOut = z.looseObject({ LocationKey: z.string(), Name: z.string().optional(), LocationType: z.string().optional(), Status: z.string().optional() });

export const listLocations = sage300Operation({
  id: 'listLocations',
  docs: `${WEBAPI_DOCS} (ICLocations)`,
  input: z.strictObject({}).default({}),
  output: z.array(locationOut),
  run: (client) => client.list('listLocations', 'IC', 'ICLocations', locationOut),
});
