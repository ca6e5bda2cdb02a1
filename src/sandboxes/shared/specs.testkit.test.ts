// Where the fidelity suites look for the official models, and what they do when those are absent
// (issue 11): run, skip with a loud line, or fail under CI.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { missingSpecsAction, specsDir, specsFolder } from './specs.testkit.js';

describe('specs folder', () => {
  it('defaults to ../shared/specs next to the repository; SYNCLINE_SPECS_DIR overrides it', () => {
    expect(specsDir({})).toBe(path.resolve(import.meta.dirname, '../../../../shared/specs'));
    expect(specsDir({ SYNCLINE_SPECS_DIR: '/tmp/models' })).toBe('/tmp/models');
    expect(specsFolder('amazon-models', { SYNCLINE_SPECS_DIR: '/tmp/models' }).dir).toBe('/tmp/models/amazon-models');
  });

  it('a missing folder skips outside CI and fails under CI=true', () => {
    const missing = specsFolder('amazon-models', { SYNCLINE_SPECS_DIR: '/nonexistent/specs' });
    expect(missing.present).toBe(false);
    expect(missingSpecsAction(missing, {})).toBe('skip');
    expect(missingSpecsAction(missing, { CI: 'true' })).toBe('fail');
    expect(missingSpecsAction({ dir: '/x', present: true }, { CI: 'true' })).toBe('run');
  });
});

describe('the fidelity suites without their models (a fresh clone elsewhere)', () => {
  // The real suites, run by vitest in a child process with SYNCLINE_SPECS_DIR pointing nowhere.
  const root = path.resolve(import.meta.dirname, '../../..');
  const files = ['src/sandboxes/sage300/fidelity.test.ts', 'src/sandboxes/amazon/fidelity.test.ts'];
  const vitest = async (ci: boolean) => {
    // The parent's VITEST* variables would make the child think it is a worker of this run.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'CI' && k !== 'NODE_ENV'));
    try {
      const r = await promisify(execFile)(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...files], { cwd: root, env: { ...env, SYNCLINE_SPECS_DIR: '/nonexistent/specs', NO_COLOR: '1', ...(ci ? { CI: 'true' } : {}) }, timeout: 240_000 });
      return { code: 0, out: r.stdout + r.stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  };

  it('skip with one loud line each outside CI (exit 0); fail under CI=true (exit 1)', async () => {
    const local = await vitest(false);
    expect(local.code, local.out).toBe(0);
    expect(local.out.match(/^!!! .*official models not found at \/nonexistent\/specs\/(sage300-samples|amazon-models).*SKIPPED$/gm)).toHaveLength(2);
    expect(local.out).toMatch(/Tests .*\d+ skipped/); // tests that need no model still run
    const ci = await vitest(true);
    expect(ci.code, ci.out).toBe(1);
    expect(ci.out).toContain('CI=true: a missing model folder is a failure');
    expect(ci.out).toMatch(/2 failed/);
  }, 400_000);
});
