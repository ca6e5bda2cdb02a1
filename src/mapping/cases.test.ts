// One test discovers and runs every `*.cases.yaml` under mappings/, so an analyst adds a case
// without writing TypeScript; and the runner itself must fail, with a diff, on a case that is wrong.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseFailure, formatCaseReport, runCaseFile } from './cases.js';

const root = path.resolve(import.meta.dirname, '../..');

async function caseFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await caseFiles(p)));
    else if (e.name.endsWith('.cases.yaml')) out.push(p);
  }
  return out.sort();
}

const files = await caseFiles(path.join(root, 'mappings'));

describe('mapping cases', () => {
  it('finds the shipped cases', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(path.relative(root, file), async () => {
      const r = await runCaseFile(file);
      if (!r.ok) throw caseFailure(r, root);
      expect(r.cases.length).toBeGreaterThanOrEqual(1);
    });
  }

  it('reports a deliberately wrong case with a diff and fails', async () => {
    const r = await runCaseFile(path.join(import.meta.dirname, 'testdata/failing.cases.yaml'));
    expect(r.ok).toBe(false);
    const [good, wrong, missingError] = r.cases;
    expect(good!.ok).toBe(true);
    expect(wrong!.ok).toBe(false);
    expect(wrong!.diff).toContain('output.OrderDetails[0].PricingUnitPrice: expected "89.96", got "89.95"');
    expect(missingError!.ok).toBe(false);
    expect(missingError!.diff).toEqual([
      `errors: expected OrderDetails[0].Item: "unknown SKU", not reported`,
    ]);
    const report = formatCaseReport(r, root);
    expect(report).toMatch(/^FAIL src\/mapping\/testdata\/failing\.cases\.yaml/);
    expect(report).toContain('✗ price typed wrong in the expectation');
    const err = caseFailure(r, root);
    expect(err.code).toBe('MAPPING_CASE_FAILED');
    expect(err.kind).toBe('user');
    expect(err.message).toContain('output.OrderDetails[0].PricingUnitPrice: expected "89.96", got "89.95"');
    expect(err.details.failed).toHaveLength(2);
  });
});
