// Receiving the webhook EXTENSION some stores add (core X-Cart pushes nothing; specs §1.6).
// Signature: `X-Syncline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
// A verified push is a hint, not an event: it names the order that changed, and the receiver should
// run the order poller now. The poller alone assigns versions, so a duplicate, late or reordered
// push can never make a stale state win, and polling keeps working when pushes stop.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { userError } from '../../core/errors.js';

export const webhookEventSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  created_at: z.string(),
  data: z.looseObject({ id: z.number().int().positive() }),
});
export type XcartWebhookEvent = z.output<typeof webhookEventSchema>;

export function signWebhook(secret: string, t: number, rawBody: string | Buffer): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex')}`;
}

/**
 * Verifies and parses one push. `rawBody` must be the bytes as received (a re-serialised JSON
 * object would not match). Old timestamps are refused so a captured request cannot be replayed.
 */
export function verifyWebhook(
  rawBody: string | Buffer,
  header: string | undefined,
  secret: string,
  opts: { toleranceS?: number; nowS?: number } = {},
): XcartWebhookEvent {
  const fail = (why: string) => userError('XCART_WEBHOOK_SIGNATURE', `X-Cart webhook refused: ${why}`, { details: { header: header?.slice(0, 120) ?? null } });
  if (!secret) throw fail('no webhook secret configured');
  if (!header) throw fail('no X-Syncline-Signature header');
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || !/^[0-9a-f]{64}$/i.test(parts.v1)) throw fail('malformed signature header');
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceS ?? 300)) throw fail(`timestamp ${t} is outside the tolerance`);
  const expected = Buffer.from(signWebhook(secret, t, rawBody).split('v1=')[1]!, 'hex');
  if (!timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'))) throw fail('signature does not match');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.isBuffer(rawBody) ? rawBody.toString('utf8') : rawBody);
  } catch {
    throw fail('body is not JSON');
  }
  const parsed = webhookEventSchema.safeParse(json);
  if (!parsed.success) throw fail(`unexpected body: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
