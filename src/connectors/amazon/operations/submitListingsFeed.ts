// The whole JSON_LISTINGS_FEED workflow as one operation, so a flow (which does no I/O of its own) can
// send a batch: createFeedDocument → upload the bytes → createFeed → getFeed until done → the
// processing report. Rejected messages do not fail the call (unless `requireAccepted`): they come back per SKU (`rejected`) for
// the flow to dead-letter one by one; a FATAL or cancelled feed does fail it (workflows.feedResult).
import { z } from 'zod';
import { amazonOperation } from './define.js';
import { sendListingsFeed as send, type ListingsFeedMessage } from '../workflows.js';

const issue = z.looseObject({ messageId: z.number().optional(), sku: z.string().optional(), code: z.string(), severity: z.string(), message: z.string() });

export const submitListingsFeed = amazonOperation({
  id: 'submitListingsFeed',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/building-listings-management-workflows-guide#submit-a-json_listings_feed',
  input: z.strictObject({
    messages: z.array(z.looseObject({ messageId: z.number().int().min(1), sku: z.string().min(1), operationType: z.enum(['UPDATE', 'PARTIAL_UPDATE', 'PATCH', 'DELETE']) })).min(1).max(25_000),
    /** Pause between getFeed polls; Amazon takes minutes, the sandbox seconds. */
    pollMs: z.number().int().min(0).optional(),
    timeoutMs: z.number().int().min(1).optional(),
    /** A rejected message fails the call (AMAZON_FEED_REJECTED_MESSAGES, a user error): for a one-SKU resend. */
    requireAccepted: z.boolean().optional(),
  }),
  output: z.looseObject({
    feedId: z.string(),
    summary: z.looseObject({ messagesProcessed: z.number(), messagesAccepted: z.number(), messagesInvalid: z.number(), errors: z.number() }),
    rejected: z.array(z.looseObject({ sku: z.string(), messageId: z.number().optional(), issues: z.array(issue) })),
  }),
  async run(client, i) {
    const messages = i.messages as unknown as ListingsFeedMessage[];
    const { feedId, report } = await send(client, messages, { requireAccepted: i.requireAccepted ?? false, ...(i.pollMs !== undefined ? { pollMs: i.pollMs } : {}), ...(i.timeoutMs ? { timeoutMs: i.timeoutMs } : {}) });
    // Issues name the message; the SKU comes from the report or, failing that, from our message.
    const skuOf = new Map(messages.map((m) => [m.messageId, m.sku]));
    const bySku = new Map<string, { sku: string; messageId?: number; issues: typeof report.issues }>();
    for (const it of report.issues.filter((x) => x.severity === 'ERROR')) {
      const sku = it.sku ?? (it.messageId !== undefined ? skuOf.get(it.messageId) : undefined) ?? `message ${it.messageId ?? '?'}`;
      const e = bySku.get(sku) ?? { sku, ...(it.messageId !== undefined ? { messageId: it.messageId } : {}), issues: [] };
      e.issues.push(it);
      bySku.set(sku, e);
    }
    return { feedId, summary: report.summary, rejected: [...bySku.values()] };
  },
});
