// Mapping templates over the admin API, for the console's mapping page: the spec text, a live
// preview of its output (warnings and every validation error) on a sample, and its *.cases.yaml run
// from the page (operators: a dry run is still a POST) — with the stored spec or with an edited one
// (admins), which is compiled from a temporary file and never written over the template.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { userError } from '../../core/errors.js';
import { roleAllows } from '../../core/roles.js';
import { findSpecFiles, loadMapping } from '../../mapping/index.js';
import { runCaseFile } from '../../mapping/cases.js';
import { problemSchema, withStatus } from '../problem.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema } as const;
const params = { type: 'object', properties: { pair: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' }, name: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' } }, required: ['pair', 'name'] } as const;
const issue = { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' }, source: { type: 'string' } } } as const;

function mappingsRoot(): string | undefined {
  let dir = import.meta.dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'mappings');
    if (existsSync(path.join(candidate, 'lookups'))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

export async function consoleMappingRoutes(app: FastifyInstance): Promise<void> {
  const root = mappingsRoot();
  const specFile = (p: { pair: string; name: string }) => {
    const f = root ? path.join(root, p.pair, `${p.name}.yaml`) : '';
    if (!root || !existsSync(f)) throw withStatus(userError('API_NOT_FOUND', `mapping ${p.pair}/${p.name} does not exist`), 404);
    return f;
  };
  /** The stored spec, or an edited text compiled from a temporary copy beside nothing (admins only). */
  const compile = async (req: FastifyRequest, file: string, text: string | undefined) => {
    if (text === undefined) return { mapping: await loadMapping(file), cleanup: async () => {} };
    if (!req.principal || !roleAllows(req.principal.role, 'admin')) throw withStatus(userError('API_FORBIDDEN', 'previewing an edited mapping needs the admin role', { details: { required: 'admin', held: req.principal?.role } }), 403);
    const dir = await mkdtemp(path.join(tmpdir(), 'syncline-mapping-'));
    const tmp = path.join(dir, path.basename(file));
    await writeFile(tmp, text);
    return { mapping: await loadMapping(tmp, { root: root! }), cleanup: () => rm(dir, { recursive: true, force: true }) };
  };

  app.get('/mappings', { config: { role: 'viewer' }, schema: { tags: ['mappings'], operationId: 'listMappings', summary: 'The mapping templates (mappings/<pair>/<name>.yaml)', response: { 200: { type: 'object', properties: { mappings: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, cases: { type: 'boolean' } } } } } }, ...errors } } }, async () => {
    if (!root) return { mappings: [] };
    const files = await findSpecFiles(root);
    return { mappings: files.map((f) => ({ id: path.relative(root, f).replace(/\.ya?ml$/, '').split(path.sep).join('/'), cases: existsSync(f.replace(/\.ya?ml$/, '.cases.yaml')) })).sort((a, b) => a.id.localeCompare(b.id)) };
  });

  app.get<{ Params: { pair: string; name: string } }>(
    '/mappings/:pair/:name',
    { config: { role: 'viewer' }, schema: { tags: ['mappings'], operationId: 'getMapping', summary: 'A mapping template: its spec text and a sample record from mappings/<pair>/samples', params, response: { 200: { type: 'object', properties: { id: { type: 'string' }, text: { type: 'string' }, cases: { type: 'boolean' }, sample: {} } }, ...errors } } },
    async (req) => {
      const file = specFile(req.params);
      const samplesDir = path.join(root!, req.params.pair, 'samples');
      const samples = existsSync(samplesDir) ? (await readdir(samplesDir)).filter((f) => f.endsWith('.json')).sort() : [];
      const sample = samples.length ? JSON.parse(await readFile(path.join(samplesDir, samples[0]!), 'utf8')) : null;
      return { id: `${req.params.pair}/${req.params.name}`, text: await readFile(file, 'utf8'), cases: existsSync(file.replace(/\.yaml$/, '.cases.yaml')), sample };
    },
  );

  app.post<{ Params: { pair: string; name: string }; Body: { text?: string; input: unknown; options?: Record<string, unknown> } }>(
    '/mappings/:pair/:name/preview',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['mappings'], operationId: 'previewMapping', summary: 'Map one record: the output, warnings and every validation error (with the stored spec, or an edited `text`: admins)',
        params,
        body: { type: 'object', additionalProperties: false, required: ['input'], properties: { text: { type: 'string', maxLength: 200_000 }, input: {}, options: { type: 'object', additionalProperties: true } } },
        response: { 200: { type: 'object', properties: { output: {}, warnings: { type: 'array', items: issue }, errors: { type: 'array', items: issue } } }, ...errors },
      },
    },
    async (req) => {
      const { mapping, cleanup } = await compile(req, specFile(req.params), req.body.text);
      try {
        const r = await mapping.run(req.body.input, req.body.options ? { options: req.body.options } : {});
        return { output: r.output ?? null, warnings: r.warnings, errors: r.errors };
      } finally {
        await cleanup();
      }
    },
  );

  app.post<{ Params: { pair: string; name: string }; Body: { text?: string } }>(
    '/mappings/:pair/:name/cases',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['mappings'], operationId: 'runMappingCases', summary: "Run the template's *.cases.yaml (against the stored spec, or an edited `text`: admins)",
        params,
        body: { type: 'object', additionalProperties: false, properties: { text: { type: 'string', maxLength: 200_000 } } },
        response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, cases: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, ok: { type: 'boolean' }, diff: { type: 'array', items: { type: 'string' } } } } } } }, ...errors },
      },
    },
    async (req) => {
      const file = specFile(req.params);
      const casesFile = file.replace(/\.yaml$/, '.cases.yaml');
      if (!existsSync(casesFile)) throw withStatus(userError('API_NOT_FOUND', `mapping ${req.params.pair}/${req.params.name} has no cases file`), 404);
      const { mapping, cleanup } = await compile(req, file, req.body?.text);
      try {
        const r = await runCaseFile(casesFile, { mapping });
        return { ok: r.ok, cases: r.cases.map((c) => ({ name: c.name, ok: c.ok, diff: c.diff })) };
      } finally {
        await cleanup();
      }
    },
  );
}
