import { z } from 'zod';
import { amazonOperation } from './define.js';
import { isoDateTime, processingStatusSchema, reportSchema } from '../schemas.js';

// With nextToken, Amazon wants the token alone.
export const getReports = amazonOperation({
  id: 'getReports',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/reports-api-v2021-06-30-reference#getreports',
  input: z.union([
    z.strictObject({ nextToken: z.string().min(1) }),
    z.strictObject({
      reportTypes: z.array(z.string().min(1)).min(1).max(10),
      processingStatuses: z.array(processingStatusSchema).optional(),
      marketplaceIds: z.array(z.string()).min(1).max(10).optional(),
      pageSize: z.number().int().min(1).max(100).optional(),
      createdSince: isoDateTime.optional(),
      createdUntil: isoDateTime.optional(),
    }),
  ]),
  output: z.object({ reports: z.array(reportSchema), nextToken: z.string().optional() }),
  async run(client, i) {
    const query = 'nextToken' in i ? { nextToken: i.nextToken } : { reportTypes: i.reportTypes, processingStatuses: i.processingStatuses, marketplaceIds: i.marketplaceIds, pageSize: i.pageSize, createdSince: i.createdSince, createdUntil: i.createdUntil };
    return (await client.call('getReports', '/reports/2021-06-30/reports', { query })).body;
  },
});
