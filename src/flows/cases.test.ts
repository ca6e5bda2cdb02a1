// Every shipped flow's cases pass, and a deliberately wrong case fails with a diff (the runner can fail).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFlowCases } from './cases.js';
import { shippedFlows } from './catalog.js';

describe('flow cases (flows/**/*.cases.yaml)', () => {
  for (const [id, file] of shippedFlows()) {
    const cases = file.replace(/\.ya?ml$/, '.cases.yaml');
    it.runIf(existsSync(cases))(`${id}: every case passes`, async () => {
      const r = await runFlowCases(cases);
      const failed = r.cases.filter((c) => !c.ok).map((c) => `${c.name}\n  ${c.problems.join('\n  ')}`);
      expect(failed).toEqual([]);
      expect(r.cases.length).toBeGreaterThan(0);
    });
  }

  it('a wrong expectation fails, naming the difference', async () => {
    const flow = shippedFlows().get('xcart-order-to-sage300')!;
    const text = readFileSync(flow.replace(/\.yaml$/, '.cases.yaml'), 'utf8').replace('targetId: ORD000000000101, reference: "1042"', 'targetId: ORD999, reference: "1042"');
    const dir = mkdtempSync(path.join(tmpdir(), 'flow-cases-'));
    const wrong = path.join(dir, 'wrong.cases.yaml');
    writeFileSync(wrong, text.replaceAll('../../mappings/', `${path.resolve(path.dirname(flow), '../../mappings')}/`));
    const r = await runFlowCases(wrong, flow);
    const bad = r.cases.filter((c) => !c.ok);
    expect(bad).toHaveLength(1);
    expect(bad[0]!.problems.join('\n')).toMatch(/outputs\.deliver:[\s\S]*ORD999[\s\S]*ORD000000000101/);
  });
});
