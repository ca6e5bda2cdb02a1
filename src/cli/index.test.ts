// What `syncline` loads (issue 11: `syncline --help` in < 300 ms). The compiled build (dist/, made
// by `npm ci`) runs without translating TypeScript, and only the module of the command being run is
// imported: `--help` loads the entry and commander, nothing else; a store command loads no
// connector, flow, server or sandbox. Checked by recording every module Node resolves (a module
// customization hook), so an eager import added anywhere on the path fails here. The wall-clock
// figure is measured by `npm run bench -- cli` (README), not here: a loaded machine moves it.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('syncline loads only what the command needs (compiled build)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-imports-'));
    writeFileSync(path.join(dir, 'hooks.mjs'), [
      "import { appendFileSync } from 'node:fs';",
      'export async function resolve(specifier, context, next) {',
      '  const r = await next(specifier, context);',
      "  appendFileSync(process.env.SYNCLINE_TEST_IMPORTS, r.url + '\\n');",
      '  return r;',
      '}',
    ].join('\n'));
    writeFileSync(path.join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The repository files a call loads (relative paths; node_modules as `pkg:NAME`). */
  const loaded = async (args: string[]) => {
    const log = path.join(dir, `${args.join('_').replace(/\W/g, '')}.log`);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, path.join(root, 'bin/syncline.js'), ...args], {
      env: { ...process.env, SYNCLINE_CLI: 'dist', SYNCLINE_TEST_IMPORTS: log },
      timeout: 120_000,
    });
    const files = new Set<string>();
    for (const url of readFileSync(log, 'utf8').split('\n')) {
      if (!url.startsWith('file:')) continue;
      const rel = path.relative(root, new URL(url).pathname);
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel)?.[1];
      files.add(pkg ? `pkg:${pkg}` : rel);
    }
    return { files: [...files].sort(), stdout };
  };

  it('needs the build: npm ci makes dist/ (npm run build:cli)', () => {
    expect(existsSync(path.join(root, 'dist/cli/index.js')), 'dist/ is not built: run npm run build:cli (npm ci runs it)').toBe(true);
  });

  it('`--help` loads the entry and commander only, and lists every command', async () => {
    const { files, stdout } = await loaded(['--help']);
    expect(files).toEqual(['bin/syncline.js', 'dist/cli/index.js', 'pkg:commander']);
    for (const c of ['start', 'demo', 'sandbox', 'runs', 'dlq', 'token', 'config', 'connection', 'flow', 'mapping', 'settlement', 'reconcile', 'holds']) expect(stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  }, 150_000);

  it('a store command loads no connector, flow, server or sandbox, and no TypeScript translator', async () => {
    const { files } = await loaded(['runs', '--help']);
    expect(files).toContain('dist/cli/commands/admin.js');
    expect(files.filter((f) => /^(src\/|dist\/(connectors|flows|server|sandboxes|intelligence|reconcile|settlement)\/|dist\/main\.js|pkg:(tsx|esbuild|fastify|undici|jsonata)$)/.test(f))).toEqual([]);
  }, 150_000);
});
