// Mapping templates and lookup tables over the admin API, for the console's mapping designer: the text
// new events run (the newest version saved from the console, or the file), its full version history,
// source fields (a real recent event of the source entity) and target fields (the target schema), a
// live preview (output, warnings, every validation error), the template's *.cases.yaml run from the
// page, suggested field pairs with their confidence (src/intelligence), and saving a new version or
// rolling back (admins), which recompiles the flows using it for new events only (src/mapping/versions.ts).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse } from 'yaml';
import type { Engine } from '../../core/engine.js';
import { SynclineError, userError } from '../../core/errors.js';
import { payloadCodec } from '../../core/payload-codec.js';
import { redact, redactText } from '../../core/redact.js';
import { roleAllows } from '../../core/roles.js';
import { findSpecFiles, loadMappingText, loadTargetSchema, lookupTableFromText, type CompiledMapping, type TargetField } from '../../mapping/index.js';
import { runCaseFile } from '../../mapping/cases.js';
import { builtins } from '../../mapping/functions.js';
import { loadCurrentMapping, lookupFile, TemplateVersionStore, type TemplateKind } from '../../mapping/versions.js';
import { ACCEPTED_STORE } from '../../intelligence/routes.js';
import { mayRevealPii } from '../auth.js';
import { problemSchema, withStatus } from '../problem.js';
import type { FlowOps } from './flows.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema } as const;
const slug = { type: 'string', pattern: '^[a-z0-9-]{1,64}$' } as const;
const params = { type: 'object', properties: { pair: slug, name: slug }, required: ['pair', 'name'] } as const;
const versionParams = { type: 'object', properties: { pair: slug, name: slug, version: { type: 'integer', minimum: 1 } }, required: ['pair', 'name', 'version'] } as const;
const lookupParams = { type: 'object', properties: { name: slug }, required: ['name'] } as const;
const lookupVersionParams = { type: 'object', properties: { name: slug, version: { type: 'integer', minimum: 1 } }, required: ['name', 'version'] } as const;
const issue = { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' }, source: { type: 'string' } } } as const;
const versionView = { type: 'object', properties: { version: { type: 'integer' }, createdAt: { type: 'integer' }, createdBy: { type: 'string' }, note: { type: ['string', 'null'] } } } as const;
const saveBody = { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: 2_000_000 }, note: { type: 'string', maxLength: 200 } } } as const;
const rollbackBody = { type: 'object', additionalProperties: false, required: ['version'], properties: { version: { type: 'integer', minimum: 1 } } } as const;
const saved = { 201: { type: 'object', properties: { version: { type: 'integer' }, created: { type: 'boolean' }, flows: { type: 'array', items: { type: 'string' }, description: 'flows recompiled: new events run the new version' } } }, ...errors } as const;

function mappingsRoot(): string | undefined {
  let dir = import.meta.dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'mappings');
    if (existsSync(path.join(candidate, 'lookups'))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** Leaf paths of a record (`items[].sku`), for the designer's source column. */
export function fieldPaths(value: unknown, prefix = '', out: Array<{ path: string; example: unknown }> = []): Array<{ path: string; example: unknown }> {
  if (Array.isArray(value)) {
    if (value.length && value[0] !== null && typeof value[0] === 'object') fieldPaths(value[0], `${prefix}[]`, out);
    else out.push({ path: prefix, example: value.slice(0, 3) });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) fieldPaths(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.push({ path: prefix, example: value });
  return out;
}

function targetPaths(fields: Record<string, TargetField>, prefix = '', out: Array<{ path: string; type: string; required: boolean; description?: string }> = []) {
  for (const [k, f] of Object.entries(fields)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (f.type === 'object' && f.fields) targetPaths(f.fields, p, out);
    else if (f.type === 'array' && f.items?.fields) targetPaths(f.items.fields, `${p}[]`, out);
    else out.push({ path: p, type: f.type, required: !!f.required, ...(f.description ? { description: f.description } : {}) });
  }
  return out;
}

export async function consoleMappingRoutes(app: FastifyInstance, opts: { engine: Engine<any>; flows?: FlowOps; lookupsDir?: string; acceptedStore?: string }): Promise<void> {
  const root = mappingsRoot();
  const { engine } = opts;
  const store = new TemplateVersionStore(engine.store.db);
  const by = (req: FastifyRequest) => (req.principal ? `${req.principal.kind === 'session' ? 'user' : 'token'}:${req.principal.name}` : 'api');
  const fileLabel = (f: string) => `file:${path.relative(root ? path.dirname(root) : process.cwd(), f)}`;
  const specFile = (p: { pair: string; name: string }) => {
    const f = root ? path.join(root, p.pair, `${p.name}.yaml`) : '';
    if (!root || !existsSync(f)) throw withStatus(userError('API_NOT_FOUND', `mapping ${p.pair}/${p.name} does not exist`), 404);
    return f;
  };
  const tableFile = (name: string) => {
    const f = root ? lookupFile(root, name, opts.lookupsDir) : '';
    if (!root || !existsSync(f)) throw withStatus(userError('API_NOT_FOUND', `lookup table ${name} does not exist`), 404);
    return f;
  };
  const load = (file: string, text: string) => loadMappingText(text, file, { root: root!, ...(opts.lookupsDir ? { lookupsDir: opts.lookupsDir } : {}) });
  /** The text new events run (stored newest or the file) and its stored version. */
  const current = async (kind: TemplateKind, name: string, file: string) => store.current(kind, name, await readFile(file, 'utf8'), fileLabel(file));
  /** The mapping as new events run it, or an edited text (admins only: operators try samples, not specs). */
  const compile = async (req: FastifyRequest, id: string, file: string, text: string | undefined): Promise<CompiledMapping> => {
    if (text === undefined) return (await loadCurrentMapping(store, id, file, { root: root!, ...(opts.lookupsDir ? { lookupsDir: opts.lookupsDir } : {}) })).mapping;
    if (!req.principal || !roleAllows(req.principal.role, 'admin')) throw withStatus(userError('API_FORBIDDEN', 'previewing an edited mapping needs the admin role', { details: { required: 'admin', held: req.principal?.role } }), 403);
    return load(file, text);
  };
  /** New events run the saved version: every deployed flow is recompiled (jobs queued earlier keep theirs). */
  const redeploy = async (): Promise<string[]> => {
    if (!opts.flows) return [];
    const changed: string[] = [];
    for (const f of engine.flows) {
      const doc = await opts.flows.versions.get(f.id, f.version);
      if (!doc) continue;
      const next = await opts.flows.recompile(doc);
      if ((next.revision ?? String(next.version)) === (f.revision ?? String(f.version))) continue;
      engine.addFlowVersion(next);
      changed.push(f.id);
    }
    return changed;
  };
  const invalid = (e: unknown, what: string) => {
    if (e instanceof SynclineError && e.kind === 'user') return withStatus(userError('TEMPLATE_VERSION_INVALID', `${what} is not valid, nothing was saved: ${e.message}`, { details: e.details }), 400);
    return e;
  };

  app.get('/mappings', { config: { role: 'viewer' }, schema: { tags: ['mappings'], operationId: 'listMappings', summary: 'The mapping templates (mappings/<pair>/<name>.yaml) and lookup tables', response: { 200: { type: 'object', properties: { mappings: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, cases: { type: 'boolean' }, version: { type: ['integer', 'null'] } } } }, lookups: { type: 'array', items: { type: 'string' } } } }, ...errors } } }, async () => {
    if (!root) return { mappings: [], lookups: [] };
    const files = await findSpecFiles(root);
    const mappings = [];
    for (const f of files) {
      const id = path.relative(root, f).replace(/\.ya?ml$/, '').split(path.sep).join('/');
      mappings.push({ id, cases: existsSync(f.replace(/\.ya?ml$/, '.cases.yaml')), version: (await store.get('mapping', id))?.version ?? null });
    }
    // Rate tables (kind: rates) are not lookup tables: they are not edited as a grid.
    const lookups: string[] = [];
    for (const f of (await readdir(path.join(root, 'lookups'))).filter((f) => f.endsWith('.yaml')).sort()) {
      if (!/^kind:\s*rates/m.test(await readFile(path.join(root, 'lookups', f), 'utf8'))) lookups.push(f.slice(0, -5));
    }
    return { mappings: mappings.sort((a, b) => a.id.localeCompare(b.id)), lookups };
  });

  app.get<{ Params: { pair: string; name: string } }>(
    '/mappings/:pair/:name',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['mappings'], operationId: 'getMapping',
        summary: 'A mapping template as new events run it: its text, stored version (null: the file), history, source fields from the newest event of its source entity (sample file without one; personal data masked for viewers) and target fields',
        params,
        response: { 200: { type: 'object', properties: { id: { type: 'string' }, text: { type: 'string' }, version: { type: ['integer', 'null'] }, versions: { type: 'array', items: versionView }, cases: { type: 'boolean' }, source: { type: 'string' }, target: { type: 'string' }, sample: {}, sampleFrom: { type: 'string' }, sourceFields: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, example: {} } } }, targetFields: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, type: { type: 'string' }, required: { type: 'boolean' }, description: { type: 'string' } } } }, lookups: { type: 'array', items: { type: 'string' } }, functions: { type: 'array', items: { type: 'string' }, description: 'the mapping engine\'s own functions ($table, $money …), besides JSONata\'s' } } }, ...errors },
      },
    },
    async (req) => {
      const id = `${req.params.pair}/${req.params.name}`;
      const file = specFile(req.params);
      const { text, version } = await current('mapping', id, file);
      let spec: { source?: string; target?: string; lookups?: string[] } = {};
      try {
        spec = (parse(text) as typeof spec) ?? {};
      } catch {
        /* shown as the preview's error */
      }
      // A real recent event of the source entity; the shipped sample file when none has arrived yet.
      let sample: unknown = null;
      let sampleFrom = 'none';
      const [system, entity] = String(spec.source ?? '').split('/');
      if (system && entity) {
        const row = await engine.store.db.selectFrom('events').select(['id', 'payload', 'record_id']).where('system', '=', system).where('entity', '=', entity).orderBy('id', 'desc').limit(1).executeTakeFirst();
        if (row) {
          sample = payloadCodec(engine.store).decode(row.payload);
          sampleFrom = `event ${row.id} (${system} ${entity} ${row.record_id})`;
        }
      }
      if (sample === null) {
        const samplesDir = path.join(root!, req.params.pair, 'samples');
        const samples = existsSync(samplesDir) ? (await readdir(samplesDir)).filter((f) => f.endsWith('.json')).sort() : [];
        const own = samples.find((f) => entity && f.includes(entity)) ?? samples[0];
        if (own) {
          sample = JSON.parse(await readFile(path.join(samplesDir, own), 'utf8'));
          sampleFrom = `sample file ${req.params.pair}/samples/${own}`;
        }
      }
      if (!mayRevealPii(req, true)) sample = redact(sample);
      let targetFields: ReturnType<typeof targetPaths> = [];
      if (spec.target) {
        const t = await loadTargetSchema(path.join(root!, 'targets', `${spec.target}.yaml`)).catch(() => undefined);
        if (t?.root.fields) targetFields = targetPaths(t.root.fields);
      }
      return {
        id, text, version, versions: await store.versions('mapping', id), cases: existsSync(file.replace(/\.yaml$/, '.cases.yaml')),
        source: spec.source ?? '', target: spec.target ?? '', sample, sampleFrom, sourceFields: fieldPaths(sample), targetFields,
        lookups: Array.isArray(spec.lookups) ? spec.lookups.map(String) : [],
        functions: Object.keys(builtins).sort(),
      };
    },
  );

  app.get<{ Params: { pair: string; name: string; version: number } }>(
    '/mappings/:pair/:name/versions/:version',
    { config: { role: 'viewer' }, schema: { tags: ['mappings'], operationId: 'getMappingVersion', summary: 'One stored version of a mapping template', params: versionParams, response: { 200: { type: 'object', properties: { version: { type: 'integer' }, text: { type: 'string' }, createdAt: { type: 'integer' }, createdBy: { type: 'string' }, note: { type: ['string', 'null'] } } }, ...errors } } },
    async (req) => {
      const id = `${req.params.pair}/${req.params.name}`;
      specFile(req.params);
      const v = await store.get('mapping', id, req.params.version);
      if (!v) throw withStatus(userError('API_NOT_FOUND', `mapping ${id} has no version ${req.params.version}`), 404);
      return v;
    },
  );

  app.post<{ Params: { pair: string; name: string }; Body: { text: string; note?: string } }>(
    '/mappings/:pair/:name/versions',
    {
      config: { role: 'admin' },
      schema: { tags: ['mappings'], operationId: 'saveMappingVersion', summary: 'Save a mapping template as a new version, checked and compiled first; new events run it (jobs already queued keep theirs)', params, body: saveBody, response: saved },
    },
    async (req, reply) => {
      const id = `${req.params.pair}/${req.params.name}`;
      const file = specFile(req.params);
      req.auditBefore = { version: (await store.get('mapping', id))?.version ?? null };
      let compiled: CompiledMapping;
      try {
        compiled = await load(file, req.body.text);
      } catch (e) {
        throw invalid(e, `mapping ${id}`);
      }
      if (compiled.id !== id) throw withStatus(userError('TEMPLATE_VERSION_INVALID', `the text's id "${compiled.id}" must stay "${id}"`), 400);
      const r = await store.save('mapping', id, await readFile(file, 'utf8'), fileLabel(file), req.body.text, by(req), req.body.note);
      return reply.code(201).send({ ...r, flows: await redeploy() });
    },
  );

  app.post<{ Params: { pair: string; name: string }; Body: { version: number } }>(
    '/mappings/:pair/:name/rollback',
    {
      config: { role: 'admin' },
      schema: { tags: ['mappings'], operationId: 'rollbackMapping', summary: "Roll back: save a stored version's text again as the newest version (new events only)", params, body: rollbackBody, response: saved },
    },
    async (req, reply) => {
      const id = `${req.params.pair}/${req.params.name}`;
      specFile(req.params);
      const old = await store.get('mapping', id, req.body.version);
      if (!old) throw withStatus(userError('API_NOT_FOUND', `mapping ${id} has no version ${req.body.version}`), 404);
      req.auditBefore = { version: (await store.get('mapping', id))?.version ?? null };
      const r = await store.record('mapping', id, old.text, by(req), `rollback to version ${old.version}`);
      return reply.code(201).send({ ...r, flows: await redeploy() });
    },
  );

  app.get<{ Params: { pair: string; name: string } }>(
    '/mappings/:pair/:name/suggestions',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['mappings'], operationId: 'suggestMappings', summary: 'Suggested target fields for each source field of the template, with a confidence in [0, 1] and why (offline, src/intelligence; `syncline mapping suggest`)',
        params,
        response: { 200: { type: 'object', properties: { source: { type: 'string' }, target: { type: 'string' }, suggestions: { type: 'array', items: { type: 'object', properties: { source: { type: 'string' }, candidates: { type: 'array', items: { type: 'object', properties: { target: { type: 'string' }, confidence: { type: 'number' }, why: { type: 'string' } } } } } } } } }, ...errors },
      },
    },
    async (req) => {
      const id = `${req.params.pair}/${req.params.name}`;
      const { text } = await current('mapping', id, specFile(req.params));
      const spec = (parse(text) as { source?: string; target?: string }) ?? {};
      const { knownEntities } = await import('../../intelligence/catalogue.js');
      const { knowledgeFor, suggest } = await import('../../intelligence/index.js');
      const known = knownEntities();
      const entity = (s?: string) => known.find((k) => k.toLowerCase() === String(s ?? '').replace('/', '.').toLowerCase());
      const source = entity(spec.source);
      const target = entity(spec.target);
      if (!source || !target) throw withStatus(userError('SUGGEST_UNKNOWN_ENTITY', `no suggestions for ${spec.source} → ${spec.target}: the suggester knows ${known.join(', ')}`), 404);
      // What people accepted and rejected (POST /suggestions/accept|reject) counts here too: a rejected pair is gone for good.
      return { source, target, suggestions: suggest(source, target, { knowledge: knowledgeFor(opts.acceptedStore ?? ACCEPTED_STORE) }).filter((s) => s.candidates.length) };
    },
  );

  app.post<{ Params: { pair: string; name: string }; Body: { text?: string; input: unknown; options?: Record<string, unknown> } }>(
    '/mappings/:pair/:name/preview',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['mappings'], operationId: 'previewMapping', summary: 'Map one record: the output, warnings and every validation error (with the version new events run, or an edited `text`: admins)',
        params,
        body: { type: 'object', additionalProperties: false, required: ['input'], properties: { text: { type: 'string', maxLength: 2_000_000 }, input: {}, options: { type: 'object', additionalProperties: true } } },
        response: { 200: { type: 'object', properties: { output: {}, warnings: { type: 'array', items: issue }, errors: { type: 'array', items: issue } } }, ...errors },
      },
    },
    async (req) => {
      const id = `${req.params.pair}/${req.params.name}`;
      const mapping = await compile(req, id, specFile(req.params), req.body.text);
      const r = await mapping.run(req.body.input, req.body.options ? { options: req.body.options } : {});
      return { output: r.output ?? null, warnings: r.warnings, errors: r.errors };
    },
  );

  app.post<{ Params: { pair: string; name: string }; Body: { text?: string } }>(
    '/mappings/:pair/:name/cases',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['mappings'], operationId: 'runMappingCases', summary: "Run the template's *.cases.yaml (against the version new events run, or an edited `text`: admins)",
        params,
        body: { type: 'object', additionalProperties: false, properties: { text: { type: 'string', maxLength: 2_000_000 } } },
        response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, cases: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, ok: { type: 'boolean' }, diff: { type: 'array', items: { type: 'string' } } } } } } }, ...errors },
      },
    },
    async (req) => {
      const id = `${req.params.pair}/${req.params.name}`;
      const file = specFile(req.params);
      const casesFile = file.replace(/\.yaml$/, '.cases.yaml');
      if (!existsSync(casesFile)) throw withStatus(userError('API_NOT_FOUND', `mapping ${id} has no cases file`), 404);
      const mapping = await compile(req, id, file, req.body?.text);
      const r = await runCaseFile(casesFile, { mapping });
      return { ok: r.ok, cases: r.cases.map((c) => ({ name: c.name, ok: c.ok, diff: c.diff })) };
    },
  );

  // Lookup tables: the same history, edited as a grid of entries in the console.
  app.get<{ Params: { name: string } }>(
    '/lookups/:name',
    { config: { role: 'viewer' }, schema: { tags: ['mappings'], operationId: 'getLookup', summary: 'A lookup table as new events use it: its text, stored version (null: the file) and history (e-mails and phone numbers masked for viewers)', params: lookupParams, response: { 200: { type: 'object', properties: { name: { type: 'string' }, text: { type: 'string' }, version: { type: ['integer', 'null'] }, versions: { type: 'array', items: versionView } } }, ...errors } } },
    async (req) => {
      const file = tableFile(req.params.name);
      const { text, version } = await current('lookup', req.params.name, file);
      return { name: req.params.name, text: mayRevealPii(req, true) ? text : redactText(text), version, versions: await store.versions('lookup', req.params.name) };
    },
  );

  app.get<{ Params: { name: string; version: number } }>(
    '/lookups/:name/versions/:version',
    { config: { role: 'operator' }, schema: { tags: ['mappings'], operationId: 'getLookupVersion', summary: 'One stored version of a lookup table', params: lookupVersionParams, response: { 200: { type: 'object', properties: { version: { type: 'integer' }, text: { type: 'string' }, createdAt: { type: 'integer' }, createdBy: { type: 'string' }, note: { type: ['string', 'null'] } } }, ...errors } } },
    async (req) => {
      tableFile(req.params.name);
      const v = await store.get('lookup', req.params.name, req.params.version);
      if (!v) throw withStatus(userError('API_NOT_FOUND', `lookup table ${req.params.name} has no version ${req.params.version}`), 404);
      return v;
    },
  );

  app.post<{ Params: { name: string }; Body: { text: string; note?: string } }>(
    '/lookups/:name/versions',
    { config: { role: 'admin' }, schema: { tags: ['mappings'], operationId: 'saveLookupVersion', summary: 'Save a lookup table as a new version, checked first; new events use it (jobs already queued keep theirs)', params: lookupParams, body: saveBody, response: saved } },
    async (req, reply) => {
      const file = tableFile(req.params.name);
      req.auditBefore = { version: (await store.get('lookup', req.params.name))?.version ?? null };
      try {
        const spec = parse(req.body.text) as { name?: string } | null;
        if (spec?.name !== undefined && spec.name !== req.params.name) throw userError('MAPPING_SYNTAX', `the table's name "${spec.name}" must stay "${req.params.name}"`);
        lookupTableFromText(req.body.text, req.params.name);
      } catch (e) {
        throw invalid(e, `lookup table ${req.params.name}`);
      }
      const r = await store.save('lookup', req.params.name, await readFile(file, 'utf8'), fileLabel(file), req.body.text, by(req), req.body.note);
      return reply.code(201).send({ ...r, flows: await redeploy() });
    },
  );

  app.post<{ Params: { name: string }; Body: { version: number } }>(
    '/lookups/:name/rollback',
    { config: { role: 'admin' }, schema: { tags: ['mappings'], operationId: 'rollbackLookup', summary: "Roll back: save a stored version's text again as the newest version (new events only)", params: lookupParams, body: rollbackBody, response: saved } },
    async (req, reply) => {
      tableFile(req.params.name);
      const old = await store.get('lookup', req.params.name, req.body.version);
      if (!old) throw withStatus(userError('API_NOT_FOUND', `lookup table ${req.params.name} has no version ${req.body.version}`), 404);
      req.auditBefore = { version: (await store.get('lookup', req.params.name))?.version ?? null };
      const r = await store.record('lookup', req.params.name, old.text, by(req), `rollback to version ${old.version}`);
      return reply.code(201).send({ ...r, flows: await redeploy() });
    },
  );
}
