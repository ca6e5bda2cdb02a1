// The tunnel between hub and agent: JSON text frames over one WebSocket that the agent opened (TLS,
// both sides authenticated by certificates of the hub's CA). The hub sends calls; the agent answers
// each with a head, body chunks and an end — or a failure saying whether the call reached the ERP.
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
export const CONNECT_PATH = '/agent/v1/connect';
export const ENROL_PATH = '/agent/v1/enrol';
export const CA_PATH = '/agent/v1/ca';
/** Body chunks are cut at this size so a large answer does not hold the socket for one frame. */
export const CHUNK_BYTES = 64 * 1024;

export const hubMessage = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('call'),
    id: z.number().int(),
    method: z.string(),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    /** Base64. */
    body: z.string().optional(),
    timeoutMs: z.number().int().positive(),
  }),
  z.object({ t: z.literal('cancel'), id: z.number().int() }),
]);
export type HubMessage = z.infer<typeof hubMessage>;

export const agentMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), version: z.number().int(), agent: z.string() }),
  z.object({ t: z.literal('head'), id: z.number().int(), status: z.number().int(), headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])) }),
  z.object({ t: z.literal('data'), id: z.number().int(), b64: z.string() }),
  z.object({ t: z.literal('end'), id: z.number().int() }),
  z.object({
    t: z.literal('fail'),
    id: z.number().int(),
    /** AGENT_CALL_REFUSED, HTTP_TIMEOUT or HTTP_UNAVAILABLE. */
    code: z.string(),
    message: z.string(),
    /** False when the ERP surely never saw the call (refused by the allow-list, connection refused). */
    sent: z.boolean(),
  }),
]);
export type AgentMessage = z.infer<typeof agentMessage>;

/** `<secret>.<sha256 of the hub CA, hex>`: one string to paste, which also pins the hub. */
export function formatToken(secret: string, caFingerprint: string): string {
  return `${secret}.${caFingerprint}`;
}

export function parseToken(token: string): { secret: string; caFingerprint: string } | undefined {
  const m = /^([A-Za-z0-9_-]{20,})\.([0-9a-f]{64})$/.exec(token.trim());
  return m ? { secret: m[1]!, caFingerprint: m[2]! } : undefined;
}
