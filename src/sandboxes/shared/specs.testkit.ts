// Test kit: where the fidelity suites find the official models and samples (Amazon's models, Sage's
// sample payloads, Sage's X3 tester samples). They are not part of this repository, so a clone
// elsewhere may not have them: SYNCLINE_SPECS_DIR names the folder (default ../shared/specs next to
// the repository). Missing → one loud line and the suite is skipped, never failed and never passed
// silently; under CI (CI=true) a missing folder is a failure, so CI cannot go green without them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it, type TestFunction } from 'vitest';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

export function specsDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.SYNCLINE_SPECS_DIR;
  return configured ? path.resolve(configured) : path.resolve(REPO_ROOT, '../shared/specs');
}

export interface SpecsFolder {
  dir: string;
  present: boolean;
}

/** A sub-folder of the specs directory (e.g. "sage300-samples") and whether it is there. */
export function specsFolder(sub: string, env: NodeJS.ProcessEnv = process.env): SpecsFolder {
  const dir = path.join(specsDir(env), sub);
  return { dir, present: existsSync(dir) };
}

/** What a suite does when its folder is absent: run, skip (outside CI) or fail (under CI). */
export function missingSpecsAction(folder: SpecsFolder, env: NodeJS.ProcessEnv = process.env): 'run' | 'skip' | 'fail' {
  if (folder.present) return 'run';
  return env.CI === 'true' ? 'fail' : 'skip';
}

const warned = new Set<string>();

/**
 * `describe` for a suite that needs `sub` from the specs folder. Absent outside CI: a warning line on
 * stderr and a skipped suite. Absent under CI: one failing test that names the folder it looked for.
 */
export function describeWithSpecs(sub: string, name: string, body: (folder: SpecsFolder) => void | Promise<void>): void {
  const folder = specsFolder(sub);
  const action = missingSpecsAction(folder);
  if (action === 'run') {
    describe(name, () => body(folder));
    return;
  }
  const line = `!!! ${name}: official models not found at ${folder.dir} (set SYNCLINE_SPECS_DIR to the folder holding ${sub}/)`;
  if (action === 'fail') {
    describe(name, () => {
      it(`finds ${sub} (CI=true: a missing model folder is a failure)`, () => {
        throw new Error(line);
      });
    });
    return;
  }
  warnOnce(line);
  // The body is not run: vitest collects a skipped suite's body too, and a body that reads the
  // models (to list its cases) would fail on the missing folder.
  describe.skip(name, () => {
    it(`needs ${sub}`, () => {});
  });
}

function warnOnce(line: string): void {
  if (warned.has(line)) return;
  warned.add(line);
  console.warn(`${line} — SKIPPED`);
}

/** `it` for one test that needs `sub` (inside a suite that does not): same rules as `describeWithSpecs`. */
export function itWithSpecs(sub: string, name: string, fn: (folder: SpecsFolder) => Promise<void> | void, timeout?: number): void {
  const folder = specsFolder(sub);
  const action = missingSpecsAction(folder);
  if (action === 'run') return void it(name, (() => fn(folder)) as TestFunction, timeout);
  const line = `!!! ${name}: official models not found at ${folder.dir} (set SYNCLINE_SPECS_DIR to the folder holding ${sub}/)`;
  if (action === 'fail') return void it(`${name} — finds ${sub} (CI=true: a missing model folder is a failure)`, () => {
    throw new Error(line);
  });
  warnOnce(line);
  it.skip(name, () => fn(folder));
}
