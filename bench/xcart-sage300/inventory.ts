// `npm run bench -- xcart-sage300`: one inventory cycle at scale (bench/support/xcart-sage300-inventory.child.ts, own process):
// 100,000 SKUs in Sage 300, 1,000 changed → how many the stock poller emits and the flow writes, the
// cycle's own compute (CPU time: the machine is shared, wall time is printed beside it) and the
// child's peak RSS (which includes the initial sync of all 100,000 rows before the measured cycle).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Figure } from '../run.js';

const child = path.join(import.meta.dirname, '../support/xcart-sage300-inventory.child.ts');

export default async function inventory(): Promise<Figure[]> {
  const runs: Array<Record<string, number>> = [];
  for (let i = 0; i < Number(process.env.BENCH_RUNS ?? 3); i++) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child], { env: process.env, maxBuffer: 1 << 20, timeout: 600_000 });
    runs.push(JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>);
  }
  const median = (k: string) => runs.map((r) => r[k]!).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
  return [
    { name: 'inventory: SKUs in Sage 300', value: median('skus'), unit: 'SKUs' },
    { name: 'inventory: changed SKUs → stock events', value: median('events'), unit: 'events', target: '= 1000' },
    { name: 'inventory: changed SKUs → X-Cart writes', value: median('writes'), unit: 'writes', target: '= 1000' },
    { name: 'inventory: cycle compute (CPU: poll + 1,000 flow runs)', value: median('cpuMs'), unit: 'ms', target: '< 2000' },
    { name: 'inventory: of which the poll over 100,000 rows (CPU)', value: median('pollCpuMs'), unit: 'ms' },
    { name: 'inventory: cycle wall time (shared machine)', value: median('cycleMs'), unit: 'ms' },
    { name: 'inventory: peak RSS (incl. the initial sync)', value: median('maxRssMb'), unit: 'MB', target: '< 300' },
  ];
}
