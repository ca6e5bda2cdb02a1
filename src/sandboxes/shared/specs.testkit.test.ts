// Where the fidelity suites look for the official models, and what they do when those are absent
// (issue 11): run, skip with a loud line, or fail under CI.
import path from 'node:path';
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
