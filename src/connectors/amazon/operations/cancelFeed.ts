import { z } from 'zod';
import { amazonOperation } from './define.js';

/** Only IN_QUEUE feeds can be cancelled; otherwise Amazon answers 400 (AMAZON_INVALID_INPUT). */
export const cancelFeed = amazonOperation({
  id: 'cancelFeed',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-reference#cancelfeed',
  input: z.strictObject({ feedId: z.string().min(1) }),
  output: z.object({ cancelled: z.literal(true) }),
  async run(client, i) {
    await client.call('cancelFeed', `/feeds/2021-06-30/feeds/${encodeURIComponent(i.feedId)}`, { method: 'DELETE' });
    return { cancelled: true };
  },
});
