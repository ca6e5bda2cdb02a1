import { z } from 'zod';
import { amazonOperation } from './define.js';
import { feedSchema } from '../schemas.js';

export const getFeed = amazonOperation({
  id: 'getFeed',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-reference#getfeed',
  input: z.strictObject({ feedId: z.string().min(1) }),
  output: feedSchema,
  async run(client, i) {
    return (await client.call('getFeed', `/feeds/2021-06-30/feeds/${encodeURIComponent(i.feedId)}`)).body;
  },
});
