import { z } from 'zod';
import { amazonOperation } from './define.js';

// The client fetches and caches RDTs by itself for `pii: true` calls; this is the raw operation.
export const createRestrictedDataToken = amazonOperation({
  id: 'createRestrictedDataToken',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/tokens-api-v2021-03-01-reference#createrestricteddatatoken',
  input: z.strictObject({
    targetApplication: z.string().optional(),
    restrictedResources: z.array(z.strictObject({ method: z.enum(['GET', 'PUT', 'POST', 'DELETE']), path: z.string().startsWith('/'), dataElements: z.array(z.string()).optional() })).min(1),
  }),
  output: z.object({ restrictedDataToken: z.string(), expiresIn: z.number().int() }),
  async run(client, i) {
    return (await client.call('createRestrictedDataToken', '/tokens/2021-03-01/restrictedDataToken', { method: 'POST', body: i, idempotent: true })).body;
  },
});
