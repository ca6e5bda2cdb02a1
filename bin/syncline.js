#!/usr/bin/env node
// The `syncline` command. `npm ci` compiles src/ to dist/ (the prepare hook runs `npm run build:cli`),
// and this runs dist/cli/index.js: no TypeScript translation at run time. While developing, a source
// file newer than the build (or no build at all) means src/ runs through tsx instead, so an edit
// takes effect without a rebuild and a stale build is never run. SYNCLINE_CLI=src|dist forces one.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = statSync(`${root}dist/.build-stamp`, { throwIfNoEntry: false });

function newerSource(dir, than) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (newerSource(p, than)) return true;
    } else if (e.name.endsWith('.ts') && statSync(p).mtimeMs > than) return true;
  }
  return false;
}

const mode = process.env.SYNCLINE_CLI;
const useDist = mode === 'dist' || (mode !== 'src' && stamp !== undefined && !newerSource(`${root}src`, stamp.mtimeMs));
if (useDist) {
  await import('../dist/cli/index.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/index.ts');
}
