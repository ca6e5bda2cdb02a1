// Webhook signatures: `X-Syncline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
// Signing the timestamp with the body lets the receiver refuse a captured request replayed later;
// several v1= values may be sent while a secret is being rotated (any one may match).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { userError } from '../core/errors.js';
import { withStatus } from './problem.js';

export const SIGNATURE_HEADER = 'x-syncline-signature';

export function computeSignature(secret: string, timestamp: number, body: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The header value a sender puts on a request (used by tests, the bench and pushing stores). */
export function signWebhook(secret: string, body: Buffer | string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, body)}`;
}

export interface ParsedSignature {
  timestamp: number;
  signatures: string[];
}

/** Reads the header; throws WEBHOOK_SIGNATURE_MISSING (401) when it is absent or unreadable. */
export function parseSignatureHeader(header: string | string[] | undefined): ParsedSignature {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) throw withStatus(userError('WEBHOOK_SIGNATURE_MISSING', 'the request is not signed: send X-Syncline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">'), 401);
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) timestamp = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) signatures.push(v.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw withStatus(userError('WEBHOOK_SIGNATURE_MISSING', 'X-Syncline-Signature must carry t=<unix seconds> and at least one v1=<64 hex characters>'), 401);
  }
  return { timestamp, signatures };
}

/** Throws WEBHOOK_TIMESTAMP_STALE or WEBHOOK_SIGNATURE_INVALID (401); returns when the body is authentic. */
export function verifySignature(secret: string, body: Buffer, sig: ParsedSignature, toleranceSec: number, nowSec = Date.now() / 1000): void {
  const skew = Math.round(nowSec - sig.timestamp);
  if (Math.abs(skew) > toleranceSec) {
    throw withStatus(
      userError('WEBHOOK_TIMESTAMP_STALE', `the signature's timestamp is ${Math.abs(skew)} s ${skew > 0 ? 'old' : 'in the future'}; at most ${toleranceSec} s are accepted`, { details: { skewSec: skew, toleranceSec } }),
      401,
    );
  }
  const expected = Buffer.from(computeSignature(secret, sig.timestamp, body), 'hex');
  // Compare every candidate in constant time and never stop early: timing must not reveal which matched.
  let ok = false;
  for (const s of sig.signatures) ok = timingSafeEqual(expected, Buffer.from(s, 'hex')) || ok;
  if (!ok) throw withStatus(userError('WEBHOOK_SIGNATURE_INVALID', 'the signature does not match the body under this connection\'s webhook secret'), 401);
}
