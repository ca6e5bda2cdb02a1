import { z } from 'zod';
import { amazonOperation } from './define.js';

// The returned URL accepts one PUT for 5 minutes, with exactly this Content-Type.
export const createFeedDocument = amazonOperation({
  id: 'createFeedDocument',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-reference#createfeeddocument',
  input: z.strictObject({ contentType: z.string().min(1).default('application/json; charset=UTF-8') }),
  output: z.looseObject({ feedDocumentId: z.string(), url: z.string() }),
  async run(client, i) {
    return (await client.call('createFeedDocument', '/feeds/2021-06-30/documents', { method: 'POST', body: { contentType: i.contentType } })).body;
  },
});
