// Webhook intake: POST /webhooks/:connection. The order of checks is deliberate: unknown connection
// and a missing signature are refused before the body is read; the body is read raw (the HMAC is
// over the exact bytes) and capped; only an authentic body is parsed; the answer 202 is sent after
// the inbox transaction has committed, so a sender that saw 2xx can forget the event.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { ConnectionStore } from '../core/connections.js';
import type { Engine } from '../core/engine.js';
import { SynclineError, transientError, userError } from '../core/errors.js';
import type { IncomingEvent } from '../core/triggers.js';
import { problemSchema, withStatus } from './problem.js';
import { SIGNATURE_HEADER, parseSignatureHeader, verifySignature, type ParsedSignature } from './signature.js';
import type { ServerMetrics } from './metrics.js';
import { IntakeBatcher } from './intake-batcher.js';

export type WebhookMapper = (connection: string, body: unknown, headers: IncomingHttpHeaders) => IncomingEvent[] | Promise<IncomingEvent[]>;

export interface WebhookOptions {
  engine: Engine<any>;
  connections: ConnectionStore;
  webhookSecrets: (connectionId: string) => string | undefined | Promise<string | undefined>;
  mapWebhook?: WebhookMapper;
  bodyLimitBytes: number;
  signatureToleranceSec: number;
  metrics: ServerMetrics;
}

const text = (what: string) => z.string({ error: `${what} must be a string` }).min(1, `${what} must not be empty`).max(256, `${what} is longer than 256 characters`);

const eventSchema = z.strictObject({
  system: text('system'),
  entity: text('entity'),
  // Shops number their records; accept a number and keep it as the string the inbox keys on.
  id: z.union([text('id'), z.number().int().nonnegative()], { error: 'id must be a string or a whole number' }).transform(String),
  version: z.string({ error: 'version must be a string that sorts in time order: an ISO-8601 UTC timestamp or a zero-padded sequence' }).min(1).max(64),
  payload: z.unknown().refine((v) => v !== undefined, 'payload is required (the record as the source sent it)'),
});
const bodySchema = z.union([eventSchema, z.array(eventSchema)]);

/** Default mapping: the body is already an event `{system, entity, id, version, payload}` or an array of them. */
export const defaultWebhookMapper: WebhookMapper = (_connection, body) => {
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) {
    // The union reports both branches; for an array or object body only the matching branch is useful.
    const issues = Array.isArray(body) ? (z.array(eventSchema).safeParse(body).error?.issues ?? parsed.error.issues) : (eventSchema.safeParse(body).error?.issues ?? parsed.error.issues);
    const list = issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
    throw withStatus(
      userError('WEBHOOK_INVALID_EVENT', `the body is not an event {system, entity, id, version, payload} or an array of them: ${list.slice(0, 10).map((i) => `${i.path}: ${i.message}`).join('; ')}`, { details: { issues: list } }),
      400,
    );
  }
  return (Array.isArray(parsed.data) ? parsed.data : [parsed.data]) as IncomingEvent[];
};

interface WebhookRequest extends FastifyRequest<{ Params: { connection: string }; Body: Buffer | undefined }> {
  syncline?: { secret: string; signature?: ParsedSignature };
}

export async function webhookRoutes(app: FastifyInstance, opts: WebhookOptions): Promise<void> {
  const mapper = opts.mapWebhook ?? defaultWebhookMapper;
  const batcher = new IntakeBatcher(opts.engine);
  // Keep the body as raw bytes, whatever its content type: the signature covers the exact bytes,
  // and a sender's "text/plain" or missing content type must not turn a valid event into a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.bodyLimitBytes }, (_req, body, done) => done(null, body));

  // Label by connection only once it is known to exist: ids from the URL of refused requests would
  // let anyone grow the metric without bound.
  app.addHook('onResponse', async (request, reply) => {
    const req = request as WebhookRequest;
    opts.metrics.webhookRequests.inc({ connection: req.syncline ? req.params.connection : '(unknown)', status: String(reply.statusCode) });
  });

  app.post<{ Params: { connection: string }; Body: Buffer | undefined }>(
    '/webhooks/:connection',
    {
      bodyLimit: opts.bodyLimitBytes,
      // Thousands a second: two info lines per request would cost more than the intake. Refusals are
      // counted by status in syncline_webhook_requests_total; failures of ours (5xx) are still logged.
      logLevel: 'warn',
      schema: {
        tags: ['webhooks'],
        operationId: 'receiveWebhook', summary: 'Receive events pushed by a source system',
        description:
          'Body: `{system, entity, id, version, payload}` or an array of them (or whatever the connection\'s mapper reads). Header `X-Syncline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` under the connection\'s `webhookSecret`. Answers 202 only once the events are durably in the inbox; a repeated delivery is counted as a duplicate and never processed twice.',
        security: [],
        params: { type: 'object', properties: { connection: { type: 'string', description: 'Connection id' } }, required: ['connection'] },
        headers: { type: 'object', properties: { 'x-syncline-signature': { type: 'string' } } },
        response: {
          202: {
            type: 'object',
            properties: {
              accepted: { type: 'integer', description: 'new events stored' },
              duplicates: { type: 'integer', description: 'events already in the inbox, absorbed' },
              jobs: { type: 'integer', description: 'flow jobs enqueued' },
              hint: { type: 'string', description: 'a store push (e.g. the X-Cart webhook extension) is a hint: the connection\'s pollers run now' },
              ignored: { type: 'integer', description: 'events no flow of this connection takes: not stored, counted in syncline_events_unrouted_total' },
            },
          },
          400: problemSchema,
          401: problemSchema,
          404: problemSchema,
          413: problemSchema,
          503: problemSchema,
        },
      },
      // Before the body is read: nothing is buffered for a caller that cannot be authentic.
      onRequest: async (req: WebhookRequest) => {
        let secret: string | undefined;
        try {
          secret = await opts.webhookSecrets(req.params.connection);
        } catch (e) {
          // Our side (e.g. SECRET_UNREADABLE after a master-key change): the sender can do nothing
          // but retry later, and must not learn why; the operator finds the cause in the log.
          req.log.error({ connection: req.params.connection, err: e instanceof SynclineError ? e.toJSON() : String(e) }, 'webhook secret cannot be read');
          throw transientError('WEBHOOK_INTAKE_UNAVAILABLE', 'this connection cannot take webhooks right now; nothing was accepted, retry later', { retryAfterMs: 30_000 });
        }
        if (!secret) throw withStatus(userError('WEBHOOK_UNKNOWN_CONNECTION', `no connection "${req.params.connection}" accepts webhooks`), 404);
        req.syncline = { secret };
        req.syncline.signature = parseSignatureHeader(req.headers[SIGNATURE_HEADER]);
      },
    },
    async (req: WebhookRequest, reply) => {
      const started = performance.now();
      const connection = req.params.connection;
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      verifySignature(req.syncline!.secret, raw, req.syncline!.signature!, opts.signatureToleranceSec);
      checkIntakeBody(raw);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        throw withStatus(userError('REQUEST_MALFORMED_JSON', raw.length === 0 ? 'the body is empty; expected a JSON event' : `the body is not valid JSON: ${(e as Error).message}`), 400);
      }
      // A store's own push (X-Cart's webhook extension: {id, type, created_at, data: {id}}) is a hint,
      // not an event: the poller alone assigns versions, so it is asked to run now (issue 8 §1).
      if (isStorePush(body)) {
        const woken = opts.engine.wakePollers(connection);
        return reply.code(202).send({ accepted: 0, duplicates: 0, jobs: 0, hint: woken ? 'pollers of this connection run now' : 'no poller of this connection runs in this process' });
      }
      const events = await mapper(connection, body, req.headers);
      await checkSystem(opts.connections, connection, events);
      let result;
      try {
        result = await batcher.intake(events, connection);
      } catch (e) {
        if (e instanceof SynclineError) throw e;
        // Nothing committed: the transaction rolled back. Tell the sender to come again.
        throw transientError('WEBHOOK_INTAKE_UNAVAILABLE', 'the events could not be stored; nothing was accepted, retry later', { retryAfterMs: 1000, cause: e });
      }
      opts.metrics.webhookDuration.observe({ connection }, (performance.now() - started) / 1000);
      return reply.code(202).send({ accepted: result.accepted, duplicates: result.duplicates, jobs: result.jobs, ...(result.ignored ? { ignored: result.ignored } : {}) });
    },
  );
}

/** Deepest nesting of arrays and objects a webhook body may have; real orders are under 10. */
export const MAX_JSON_DEPTH = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Refuses, with 400 and the reason, what would otherwise be stored differently from what was signed
 * or break something later: bytes that are not UTF-8 (decoding would put U+FFFD where the sender's
 * bytes were, so the stored event would differ from the signed one), and nesting deeper than
 * MAX_JSON_DEPTH (a 5,000-deep payload used to exhaust the stack further on and answer 503, which a
 * sender retries forever). One pass over the bytes, before JSON.parse; decision 0006.
 */
export function checkIntakeBody(raw: Buffer): void {
  try {
    utf8.decode(raw);
  } catch {
    throw withStatus(userError('REQUEST_INVALID_UTF8', 'the body is not valid UTF-8; send JSON encoded as UTF-8 (nothing was stored)'), 400);
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw withStatus(userError('REQUEST_TOO_DEEP', `the body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels (at byte ${i}); nothing was stored`, { details: { maxDepth: MAX_JSON_DEPTH, atByte: i } }), 400);
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/**
 * A connection speaks for one system: its secret must not let it inject events of another (an
 * X-Cart store's leaked webhook secret must not create Amazon orders). Checked when the connection
 * is in the store; a deployment that resolves secrets elsewhere keeps its own rules.
 */
async function checkSystem(connections: ConnectionStore, connection: string, events: IncomingEvent[]): Promise<void> {
  let system: string | undefined;
  try {
    system = (await connections.get(connection))?.system;
  } catch {
    return; // secrets unreadable: the secret came from elsewhere, the system cannot be checked here
  }
  if (!system) return;
  const foreign = events.map((e, i) => ({ i, system: e.system })).filter((e) => e.system !== system);
  if (foreign.length) {
    const issues = foreign.map((f) => ({ path: events.length > 1 ? `${f.i}.system` : 'system', message: `"${f.system}" is not this connection's system "${system}"` }));
    throw withStatus(userError('WEBHOOK_INVALID_EVENT', `connection "${connection}" delivers ${system} events only: ${issues.map((x) => `${x.path}: ${x.message}`).join('; ')}`, { details: { issues } }), 400);
  }
}

/** The shape of an X-Cart webhook-extension push (src/connectors/xcart/webhooks.ts), as opposed to an event. */
function isStorePush(body: unknown): boolean {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  return typeof b.type === 'string' && typeof b.created_at === 'string' && !!b.data && typeof b.data === 'object' && !('payload' in b) && !('version' in b);
}
