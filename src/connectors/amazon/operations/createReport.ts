import { z } from 'zod';
import { amazonOperation } from './define.js';
import { isoDateTime } from '../schemas.js';

// Settlement reports cannot be requested (Amazon answers 400): discover them with getReports.
export const createReport = amazonOperation({
  id: 'createReport',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/reports-api-v2021-06-30-reference#createreport',
  input: z.strictObject({
    reportType: z.string().min(1),
    marketplaceIds: z.array(z.string().min(1)).min(1).max(25).optional(),
    dataStartTime: isoDateTime.optional(),
    dataEndTime: isoDateTime.optional(),
    reportOptions: z.record(z.string(), z.string()).optional(),
  }),
  output: z.looseObject({ reportId: z.string() }),
  async run(client, i) {
    const body = { ...i, marketplaceIds: i.marketplaceIds ?? client.config.marketplaceIds };
    return (await client.call('createReport', '/reports/2021-06-30/reports', { method: 'POST', body })).body;
  },
});
