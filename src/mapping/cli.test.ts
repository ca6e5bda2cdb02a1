// `syncline mapping test|preview` as a user runs them: the real CLI in a child process.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const run = async (...args: string[]) => {
  try {
    const { stdout } = await promisify(execFile)('node', ['bin/syncline.js', 'mapping', ...args], { cwd: root });
    return { code: 0, stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, stdout: err.stdout };
  }
};

describe('syncline mapping', () => {
  it('preview --json prints one object with output, warnings and errors', async () => {
    const r = await run('preview', 'mappings/xcart-sage300/order-to-oe-order.yaml', 'mappings/xcart-sage300/samples/order.json', '--json', '--options', '{"referencePrefix":"XC-"}');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { output: Record<string, unknown>; warnings: unknown[]; errors: unknown[] };
    expect(out.errors).toEqual([]);
    expect(out.warnings).toEqual([]);
    expect(out.output.PurchaseOrderNumber).toBe('XC-1042');
    expect((out.output.OrderDetails as unknown[]).length).toBe(4);
  }, 30_000);

  it('test exits non-zero and prints the diff when a case fails', async () => {
    const r = await run('test', 'src/mapping/testdata/failing.cases.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('output.OrderDetails[0].PricingUnitPrice: expected "89.96", got "89.95"');
    expect(r.stdout).toContain('1 passed, 2 failed');
  }, 30_000);
});
