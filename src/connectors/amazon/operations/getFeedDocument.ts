import { z } from 'zod';
import { amazonOperation } from './define.js';

export const getFeedDocument = amazonOperation({
  id: 'getFeedDocument',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-reference#getfeeddocument',
  input: z.strictObject({ feedDocumentId: z.string().min(1) }),
  output: z.looseObject({ feedDocumentId: z.string(), url: z.string(), compressionAlgorithm: z.literal('GZIP').optional() }),
  async run(client, i) {
    return (await client.call('getFeedDocument', `/feeds/2021-06-30/documents/${encodeURIComponent(i.feedDocumentId)}`)).body;
  },
});
