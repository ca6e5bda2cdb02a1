// api1 REST query: GET /api1/x3/erp/{ENDPOINT}/{CLASS}?representation={REPR}.$query&count&where&orderBy&key
// — the read interface integrators poll. Follows `$links.$next` when asked.
// https://online-help.sageerpx3.com/erp/12/wp-static-content/static-pages/en_US/V7DEV/integration-guide_ws-query.html
import { z } from 'zod';
import { transientError } from '../../../core/errors.js';
import { defineX3Operation } from './define.js';

export const api1QueryInput = z.object({
  class: z.string().regex(/^[A-Z0-9_]+$/),
  /** Defaults to the class name. */
  representation: z.string().regex(/^[A-Z0-9_]+$/).optional(),
  where: z.string().optional(),
  orderBy: z.string().optional(),
  count: z.number().int().min(1).max(1000).default(20),
  /** `gt.<key>` from a previous page. */
  key: z.string().optional(),
  /** A `$next` URL from a previous page (overrides everything else). */
  next: z.string().url().optional(),
});
const api1Page = z.object({ resources: z.array(z.record(z.string(), z.unknown())), next: z.string().optional() });
export type Api1Page = z.infer<typeof api1Page>;

export const api1Query = defineX3Operation<z.input<typeof api1QueryInput>, Api1Page>({
  id: 'api1.query',
  docs: 'https://online-help.sageerpx3.com/erp/12/wp-static-content/static-pages/en_US/V7DEV/integration-guide_ws-query.html',
  input: api1QueryInput,
  output: api1Page,
  async run(client, raw) {
    const input = api1QueryInput.parse(raw);
    const body = input.next
      ? await client.api1<Record<string, unknown>>(input.next)
      : await client.api1<Record<string, unknown>>(input.class, {
          representation: `${input.representation ?? input.class}.$query`,
          count: input.count,
          where: input.where,
          orderBy: input.orderBy,
          key: input.key,
        });
    const resources = body?.$resources;
    if (!Array.isArray(resources)) throw transientError('X3_BAD_RESPONSE', `api1 ${input.class}: no $resources in the answer`, { details: { sample: JSON.stringify(body).slice(0, 300) } });
    const next = (body.$links as { $next?: { $url?: string } } | undefined)?.$next?.$url;
    return { resources: resources as Array<Record<string, unknown>>, ...(next ? { next } : {}) };
  },
});
