import { z } from 'zod';
import { amazonOperation } from './define.js';
import { financesCurrencySchema, isoDateTime } from '../schemas.js';

// An event group is one settlement period; a Closed group with a TraceId has been paid out.
export const listFinancialEventGroups = amazonOperation({
  id: 'listFinancialEventGroups',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/finances-api-reference#listfinancialeventgroups',
  input: z.strictObject({ startedAfter: isoDateTime.optional(), startedBefore: isoDateTime.optional(), maxResultsPerPage: z.number().int().min(1).max(100).optional(), nextToken: z.string().min(1).optional() }),
  output: z.object({
    groups: z.array(z.looseObject({ FinancialEventGroupId: z.string().optional(), ProcessingStatus: z.string().optional(), FundTransferStatus: z.string().optional(), OriginalTotal: financesCurrencySchema.optional(), FinancialEventGroupStart: z.string().optional(), FinancialEventGroupEnd: z.string().optional() })),
    nextToken: z.string().optional(),
  }),
  async run(client, i) {
    const res = await client.call<{ payload?: { FinancialEventGroupList?: unknown; NextToken?: string } }>('listFinancialEventGroups', '/finances/v0/financialEventGroups', {
      query: { FinancialEventGroupStartedAfter: i.startedAfter, FinancialEventGroupStartedBefore: i.startedBefore, MaxResultsPerPage: i.maxResultsPerPage, NextToken: i.nextToken },
    });
    return { groups: res.body?.payload?.FinancialEventGroupList ?? [], nextToken: res.body?.payload?.NextToken };
  },
});
