// Verification of the webhook EXTENSION's signature, independent of the sandbox's signer.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SynclineError } from '../../core/errors.js';
import { verifyWebhook } from './webhooks.js';

const secret = 'whsec-unit-1234';
const body = JSON.stringify({ id: 'evt-1', type: 'order.updated', created_at: '2026-01-01T00:00:00Z', data: { id: 42, total: 10.5 } });
const sign = (t: number, raw: string, key = secret) => `t=${t},v1=${createHmac('sha256', key).update(`${t}.${raw}`).digest('hex')}`;
const refused = (f: () => unknown, why: RegExp) => {
  try {
    f();
    expect.unreachable();
  } catch (e) {
    expect(e).toBeInstanceOf(SynclineError);
    expect((e as SynclineError).code).toBe('XCART_WEBHOOK_SIGNATURE');
    expect((e as SynclineError).kind).toBe('user');
    expect((e as SynclineError).message).toMatch(why);
  }
};

describe('verifyWebhook', () => {
  const now = 1_800_000_000;
  it('accepts a fresh, correctly signed body and returns the event', () => {
    const e = verifyWebhook(body, sign(now - 10, body), secret, { nowS: now });
    expect([e.id, e.type, e.data.id]).toEqual(['evt-1', 'order.updated', 42]);
    expect(verifyWebhook(Buffer.from(body), sign(now, body), secret, { nowS: now }).id).toBe('evt-1');
  });
  it('refuses a wrong secret, a changed body, an old timestamp, a malformed or missing header', () => {
    refused(() => verifyWebhook(body, sign(now, body, 'another-secret'), secret, { nowS: now }), /does not match/);
    refused(() => verifyWebhook(body.replace('42', '43'), sign(now, body), secret, { nowS: now }), /does not match/);
    refused(() => verifyWebhook(body, sign(now - 301, body), secret, { nowS: now }), /tolerance/);
    refused(() => verifyWebhook(body, 't=abc,v1=zz', secret, { nowS: now }), /malformed/);
    refused(() => verifyWebhook(body, undefined, secret, { nowS: now }), /no X-Syncline-Signature/);
    refused(() => verifyWebhook('not json', sign(now, 'not json'), secret, { nowS: now }), /not JSON/);
    refused(() => verifyWebhook('{"id":"x"}', sign(now, '{"id":"x"}'), secret, { nowS: now }), /unexpected body/);
  });
});
