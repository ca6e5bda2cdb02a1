// Alert rules and their history over the admin API (the console's Alerts page). The evaluator runs
// in the server process from ready to close (src/alerts).
import type { FastifyInstance } from 'fastify';
import type { ConnectionStore } from '../../core/connections.js';
import type { Engine } from '../../core/engine.js';
import { userError } from '../../core/errors.js';
import { downSince } from '../../http/client.js';
import { ALERT_CHANNELS, ALERT_KINDS, AlertEvaluator, type AlertRuleInput } from '../../alerts/alerts.js';
import { problemSchema, withStatus } from '../problem.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema } as const;
const idParam = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const;
const ruleProps = {
  name: { type: 'string', minLength: 1, maxLength: 100 },
  kind: { type: 'string', enum: [...ALERT_KINDS], description: 'dead-letters: more than `threshold` dead letters within `windowMinutes`; connection-down: a connection down (its circuit open) for `windowMinutes`, counted from the first of the failed calls that opened it; duplicate-reference: a reconciliation found a target record carrying a source reference twice; order-flagged: a hold step flagged an order (anomaly or risk); reconciliation-difference: a reconciliation run over the API found more than `threshold` differences (resolves when a later one finds no more)' },
  threshold: { type: 'integer', minimum: 0 },
  windowMinutes: { type: 'integer', minimum: 1, maximum: 10080 },
  subject: { type: ['string', 'null'], maxLength: 100, description: 'flow id (dead-letters), connection id (connection-down) or pair (duplicate-reference, reconciliation-difference: xcart-sage300, amazon-x3); null: any' },
  channel: { type: 'string', enum: [...ALERT_CHANNELS] },
  target: { type: 'string', minLength: 3, maxLength: 500, description: 'webhook URL or e-mail address' },
  enabled: { type: 'boolean' },
} as const;
const ruleView = { type: 'object', properties: { id: { type: 'integer' }, ...ruleProps, firing: { type: 'boolean' }, createdAt: { type: 'integer' }, updatedAt: { type: 'integer' } } } as const;
const ruleBody = { type: 'object', additionalProperties: false, required: ['name', 'kind', 'threshold', 'windowMinutes', 'channel', 'target', 'enabled'], properties: ruleProps } as const;
const eventView = { type: 'object', properties: { id: { type: 'integer' }, ruleId: { type: 'integer' }, at: { type: 'integer' }, state: { type: 'string', enum: ['firing', 'resolved', 'test'] }, message: { type: 'string' }, delivered: { type: 'boolean' }, error: { type: ['string', 'null'] } } } as const;

export async function consoleAlertRoutes(app: FastifyInstance, opts: { engine: Engine<any>; connections: ConnectionStore }): Promise<void> {
  const evaluator = new AlertEvaluator({
    db: opts.engine.store.db,
    sources: { downSince, connections: async () => (await opts.connections.list()).map((c) => c.id) },
    logger: app.log as never,
  });
  const store = evaluator.store;
  app.addHook('onReady', async () => evaluator.start());
  app.addHook('preClose', async () => evaluator.stop());
  const notFound = (id: number) => withStatus(userError('API_NOT_FOUND', `alert rule ${id} does not exist`), 404);

  app.get('/alerts/rules', { config: { role: 'viewer' }, schema: { tags: ['alerts'], operationId: 'listAlertRules', summary: 'Alert rules, with whether each is firing', response: { 200: { type: 'object', properties: { rules: { type: 'array', items: ruleView } } }, ...errors } } }, async () => ({ rules: await store.list() }));

  app.post<{ Body: AlertRuleInput }>(
    '/alerts/rules',
    { config: { role: 'admin' }, schema: { tags: ['alerts'], operationId: 'createAlertRule', summary: 'Create an alert rule (evaluated every few seconds; notifies within 60 s)', body: ruleBody, response: { 201: ruleView, ...errors } } },
    async (req, reply) => reply.code(201).send(await store.create(req.body)),
  );

  app.put<{ Params: { id: number }; Body: AlertRuleInput }>(
    '/alerts/rules/:id',
    { config: { role: 'admin' }, schema: { tags: ['alerts'], operationId: 'updateAlertRule', summary: 'Replace an alert rule', params: idParam, body: ruleBody, response: { 200: ruleView, ...errors } } },
    async (req) => {
      req.auditBefore = await store.get(req.params.id);
      if (!req.auditBefore) throw notFound(req.params.id);
      return (await store.update(req.params.id, req.body)) ?? Promise.reject(notFound(req.params.id));
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/alerts/rules/:id',
    { config: { role: 'admin' }, schema: { tags: ['alerts'], operationId: 'deleteAlertRule', summary: 'Delete an alert rule (its history stays)', params: idParam, response: { 204: { type: 'null' }, ...errors } } },
    async (req, reply) => {
      req.auditBefore = await store.get(req.params.id);
      if (!(await store.delete(req.params.id))) throw notFound(req.params.id);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { id: number } }>(
    '/alerts/rules/:id/test',
    { config: { role: 'admin' }, schema: { tags: ['alerts'], operationId: 'testAlertRule', summary: 'Send a test notification through the rule\'s channel now', params: idParam, response: { 200: eventView, ...errors } } },
    async (req) => {
      const rule = await store.get(req.params.id);
      if (!rule) throw notFound(req.params.id);
      return evaluator.notify(rule, 'test', `A test of alert rule "${rule.name}" sent from the console.`);
    },
  );

  app.get<{ Querystring: { ruleId?: number; limit: number } }>(
    '/alerts/history',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['alerts'], operationId: 'listAlertHistory', summary: 'Notifications sent (firing, resolved, test), newest first, delivered or with the error',
        querystring: { type: 'object', additionalProperties: false, properties: { ruleId: { type: 'integer', minimum: 1 }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } } },
        response: { 200: { type: 'object', properties: { events: { type: 'array', items: eventView } } }, ...errors },
      },
    },
    async (req) => ({ events: await store.history(req.query) }),
  );
}
