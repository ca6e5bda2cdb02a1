import { z } from 'zod';
import { amazonOperation } from './define.js';
import { isoDateTime } from '../schemas.js';
import { eventsPageSchema } from './finances.js';

// On a NextToken call Amazon wants the same arguments again, plus the token.
export const listFinancialEvents = amazonOperation({
  id: 'listFinancialEvents',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/finances-api-reference#listfinancialevents',
  input: z.strictObject({ postedAfter: isoDateTime, postedBefore: isoDateTime.optional(), maxResultsPerPage: z.number().int().min(1).max(100).optional(), nextToken: z.string().min(1).optional() }),
  output: eventsPageSchema,
  async run(client, i) {
    const res = await client.call<{ payload?: { FinancialEvents?: unknown; NextToken?: string } }>('listFinancialEvents', '/finances/v0/financialEvents', { query: { PostedAfter: i.postedAfter, PostedBefore: i.postedBefore, MaxResultsPerPage: i.maxResultsPerPage, NextToken: i.nextToken } });
    return { events: res.body?.payload?.FinancialEvents ?? {}, nextToken: res.body?.payload?.NextToken };
  },
});
