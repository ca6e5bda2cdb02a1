// Flow documents over the admin API, for the console's flow designer: each flow's current document,
// its full version history (no retention limit), enable/disable, a new version validated against
// flows/flow.schema.json and compiled before it is stored, and rollback (pin a version). Changes
// apply to new events only: jobs queued earlier keep the version they were queued for (decision 0005).
// The server knows no flow code: main.ts hands in the store and compiler as FlowOps.
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../core/engine.js';
import type { FlowDefinition } from '../../core/flow.js';
import { SynclineError, userError } from '../../core/errors.js';
import { problemSchema, withStatus } from '../problem.js';

/** What the flow store and compiler offer (src/flows, wired in main.ts). */
export interface FlowOps {
  versions: {
    get(flowId: string, version?: number): Promise<{ id: string; version: number } | undefined>;
    versions(flowId: string): Promise<Array<{ flowId: string; version: number; createdAt: number; createdBy: string }>>;
    record(doc: any, createdBy: string): Promise<{ id: string; version: number }>;
    state(flowId: string): Promise<{ enabled: boolean; pinnedVersion: number | null }>;
    setState(flowId: string, patch: { enabled?: boolean; pinnedVersion?: number | null }): Promise<void>;
  };
  /** Parses and validates a document (schema + references); throws FLOW_INVALID with `details.problems`. */
  parse(input: unknown, source?: string): { id: string; version: number };
  /** Compiles a document with the deployment's bindings of that flow. */
  recompile(doc: any): Promise<FlowDefinition>;
  /** What a new flow is assembled from: the schema, step kinds, operations, pollers, mappings (src/flows/palette.ts). */
  palette?(): Promise<{ schema: unknown; stepKinds: string[]; operations: Record<string, string[]>; pollers: Record<string, string[]>; mappings: string[] }>;
}

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema } as const;
const flowParam = { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' } }, required: ['id'] } as const;
const versionParam = { type: 'object', properties: { id: flowParam.properties.id, version: { type: 'integer', minimum: 1 } }, required: ['id', 'version'] } as const;
const versionView = { type: 'object', properties: { version: { type: 'integer' }, createdAt: { type: 'integer' }, createdBy: { type: 'string' } } } as const;
const anyJson = { description: 'a flow document (flows/flow.schema.json)' } as const;

export async function consoleFlowRoutes(app: FastifyInstance, opts: { engine: Engine<any>; flows: FlowOps }): Promise<void> {
  const { engine, flows } = opts;
  const deployed = (id: string) => {
    const f = engine.flows.find((x) => x.id === id);
    if (!f) throw withStatus(userError('API_NOT_FOUND', `flow "${id}" is not deployed on this engine`), 404);
    return f;
  };
  const by = (req: { principal?: { kind: string; name: string } }) => (req.principal ? `${req.principal.kind === 'session' ? 'user' : 'token'}:${req.principal.name}` : 'api');
  /** Validates and compiles without storing; a problem list instead of an exception. */
  const check = async (id: string, document: unknown): Promise<{ doc?: { id: string; version: number }; problems: string[] }> => {
    try {
      const doc = flows.parse(document, `flow ${id}`);
      if (doc.id !== id) return { problems: [`id: the document's id "${doc.id}" must stay "${id}" (a new flow is deployed from the configuration)`] };
      await flows.recompile(doc);
      return { doc, problems: [] };
    } catch (e) {
      if (e instanceof SynclineError && e.kind === 'user') return { problems: Array.isArray(e.details.problems) ? (e.details.problems as string[]) : [e.message] };
      throw e;
    }
  };

  /** A new flow's document: schema and references (roles, operations, pollers, mappings); no bindings yet. */
  const checkNew = (id: string, document: unknown): { doc?: { id: string; version: number }; problems: string[] } => {
    try {
      const doc = flows.parse(document, `flow ${id}`);
      if (doc.id !== id) return { problems: [`id: the document's id "${doc.id}" differs from "${id}"`] };
      return { doc, problems: [] };
    } catch (e) {
      if (e instanceof SynclineError && e.kind === 'user') return { problems: Array.isArray(e.details.problems) ? (e.details.problems as string[]) : [e.message] };
      throw e;
    }
  };

  app.get(
    '/flow-palette',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['flows'], operationId: 'getFlowPalette', summary: "What a new flow is assembled from: flows/flow.schema.json (the designer's forms are generated from it), the step kinds, each system's operations and pollers, and the mapping ids",
        response: { 200: { type: 'object', properties: { schema: { type: 'object', additionalProperties: true }, stepKinds: { type: 'array', items: { type: 'string' } }, operations: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } }, pollers: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } }, mappings: { type: 'array', items: { type: 'string' } } } }, ...errors },
      },
    },
    async () => {
      if (!flows.palette) throw withStatus(userError('API_NOT_FOUND', 'this server has no flow palette'), 404);
      return flows.palette();
    },
  );

  app.post<{ Body: { document: unknown } }>(
    '/flows',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['flows'], operationId: 'createFlow',
        summary: 'Save a new flow assembled from the existing step kinds as a version of its flow definition (checked against the schema and its references first)',
        description: 'A new id starts at version 1; an id already stored gets its next version. It runs once the configuration deploys it (`flows: [{use: ID, connections: {...}}]`), which binds its roles to connections; a deployed flow is changed with saveFlowVersion.',
        body: { type: 'object', additionalProperties: false, required: ['document'], properties: { document: anyJson } },
        response: { 201: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' }, deployed: { type: 'boolean' } } }, 409: problemSchema, ...errors },
      },
    },
    async (req, reply) => {
      const id = String((req.body.document as { id?: unknown } | null)?.id ?? '');
      if (engine.flows.some((f) => f.id === id)) throw withStatus(userError('FLOW_INVALID', `flow "${id}" is deployed: save a new version of it on its page (saveFlowVersion)`), 409);
      const { doc, problems } = checkNew(id, req.body.document);
      if (!doc) throw withStatus(userError('FLOW_INVALID', `flow ${id || '(no id)'} is not valid: ${problems.join('; ')}`, { details: { problems } }), 400);
      const stored = await flows.versions.record(doc, by(req));
      return reply.code(201).send({ id: stored.id, version: stored.version, deployed: false });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/flows/:id',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['flows'], operationId: 'getFlow', summary: "A deployed flow: the document it runs now, its state and its full version history",
        params: flowParam,
        response: { 200: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' }, enabled: { type: 'boolean' }, pinnedVersion: { type: ['integer', 'null'] }, document: anyJson, versions: { type: 'array', items: versionView } } }, ...errors },
      },
    },
    async (req) => {
      const f = deployed(req.params.id);
      const state = await flows.versions.state(f.id);
      const version = f.version ?? (await flows.versions.versions(f.id))[0]?.version ?? 1;
      const document = await flows.versions.get(f.id, version);
      const versions = (await flows.versions.versions(f.id)).map(({ version: v, createdAt, createdBy }) => ({ version: v, createdAt, createdBy }));
      return { id: f.id, version, enabled: engine.isEnabled(f.id), pinnedVersion: state.pinnedVersion, document: document ?? null, versions };
    },
  );

  app.get<{ Params: { id: string; version: number } }>(
    '/flows/:id/versions/:version',
    { config: { role: 'viewer' }, schema: { tags: ['flows'], operationId: 'getFlowVersion', summary: 'One stored version of a flow document', params: versionParam, response: { 200: { type: 'object', properties: { document: anyJson } }, ...errors } } },
    async (req) => {
      const document = await flows.versions.get(req.params.id, req.params.version);
      if (!document) throw withStatus(userError('API_NOT_FOUND', `flow "${req.params.id}" has no version ${req.params.version}`), 404);
      return { document };
    },
  );

  app.post<{ Params: { id: string }; Body: { document: unknown } }>(
    '/flows/:id/validate',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['flows'], operationId: 'validateFlow', summary: 'Check a flow document without saving it, every problem at once: schema, references and compilation for a deployed flow; schema and references for a new one',
        params: flowParam,
        body: { type: 'object', additionalProperties: false, required: ['document'], properties: { document: anyJson } },
        response: { 200: { type: 'object', properties: { valid: { type: 'boolean' }, problems: { type: 'array', items: { type: 'string' } } } }, ...errors },
      },
    },
    async (req) => {
      const { problems } = engine.flows.some((f) => f.id === req.params.id) ? await check(req.params.id, req.body.document) : checkNew(req.params.id, req.body.document);
      return { valid: problems.length === 0, problems };
    },
  );

  app.post<{ Params: { id: string }; Body: { document: unknown } }>(
    '/flows/:id/versions',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['flows'], operationId: 'saveFlowVersion', summary: 'Save a flow document as a new version and run it for new events (jobs already queued keep their version)',
        params: flowParam,
        body: { type: 'object', additionalProperties: false, required: ['document'], properties: { document: anyJson } },
        response: { 201: { type: 'object', properties: { version: { type: 'integer' } } }, ...errors },
      },
    },
    async (req, reply) => {
      const f = deployed(req.params.id);
      req.auditBefore = { version: f.version ?? null };
      const { doc, problems } = await check(req.params.id, req.body.document);
      if (!doc) throw withStatus(userError('FLOW_INVALID', `flow ${req.params.id} is not valid: ${problems.join('; ')}`, { details: { problems } }), 400);
      const stored = await flows.versions.record(doc, by(req));
      engine.addFlowVersion(await flows.recompile(await flows.versions.get(stored.id, stored.version)));
      await flows.versions.setState(stored.id, { pinnedVersion: null });
      return reply.code(201).send({ version: stored.version });
    },
  );

  app.put<{ Params: { id: string }; Body: { enabled?: boolean; pinnedVersion?: number | null } }>(
    '/flows/:id/state',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['flows'], operationId: 'setFlowState',
        summary: 'Enable or disable a flow, or roll back: pin a stored version (null: run the newest)',
        description: 'A disabled flow still takes events, but their jobs are paused: none runs, and they do not hold up other flows of the same records. Jobs queued before it was disabled still run. Enabling it again runs the paused jobs, in order, each once (decision 0017). A pinned version runs for new events only.',
        params: flowParam,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { enabled: { type: 'boolean' }, pinnedVersion: { type: ['integer', 'null'], minimum: 1 } } },
        response: { 200: { type: 'object', properties: { enabled: { type: 'boolean' }, pinnedVersion: { type: ['integer', 'null'] }, version: { type: 'integer' } } }, ...errors },
      },
    },
    async (req) => {
      const f = deployed(req.params.id);
      req.auditBefore = { enabled: engine.isEnabled(f.id), pinnedVersion: (await flows.versions.state(f.id)).pinnedVersion, version: f.version ?? null };
      let version = f.version ?? 0;
      if (req.body.pinnedVersion !== undefined) {
        const doc = await flows.versions.get(f.id, req.body.pinnedVersion ?? undefined);
        if (!doc) throw withStatus(userError('API_NOT_FOUND', `flow "${f.id}" has no version ${req.body.pinnedVersion}`), 404);
        engine.addFlowVersion(await flows.recompile(doc));
        version = doc.version;
      }
      await flows.versions.setState(f.id, req.body);
      if (req.body.enabled !== undefined) await engine.setEnabled(f.id, req.body.enabled);
      const state = await flows.versions.state(f.id);
      return { enabled: engine.isEnabled(f.id), pinnedVersion: state.pinnedVersion, version };
    },
  );
}
