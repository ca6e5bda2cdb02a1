import { z } from 'zod';
import { amazonOperation } from './define.js';

import { eventsPageSchema } from './finances.js';

// On a NextToken call Amazon wants the same arguments again, plus the token.
export const listFinancialEventsByGroupId = amazonOperation({
  id: 'listFinancialEventsByGroupId',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/finances-api-reference#listfinancialeventsbygroupid',
  input: z.strictObject({ eventGroupId: z.string().min(1), maxResultsPerPage: z.number().int().min(1).max(100).optional(), nextToken: z.string().min(1).optional() }),
  output: eventsPageSchema,
  async run(client, i) {
    const res = await client.call<{ payload?: { FinancialEvents?: unknown; NextToken?: string } }>('listFinancialEventsByGroupId', `/finances/v0/financialEventGroups/${encodeURIComponent(i.eventGroupId)}/financialEvents`, { query: { MaxResultsPerPage: i.maxResultsPerPage, NextToken: i.nextToken } });
    return { events: res.body?.payload?.FinancialEvents ?? {}, nextToken: res.body?.payload?.NextToken };
  },
});
