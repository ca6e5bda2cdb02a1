// `npm run bench -- cli`: start-up cost of the `syncline` command (issue 11: `syncline --help` < 300 ms).
// Interleaved runs of Node alone, the compiled CLI (dist/, built first if missing) and the TypeScript
// sources through tsx; medians of wall time and of CPU time (user + sys, from the child's rusage),
// which is the steadier figure when other work shares the machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from '../run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = 11;

function once(args: string[], env: Record<string, string>): { wallMs: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return { wallMs };
}

function cpuOf(args: string[], env: Record<string, string>): number {
  // GNU time prints "user sys" of the child; fall back to NaN where it is missing.
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const m = /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  return m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN;
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

export default async function (): Promise<Figure[]> {
  if (!existsSync(path.join(root, 'dist/cli/index.js'))) {
    const b = spawnSync('npm', ['run', 'build:cli'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build:cli failed');
  }
  const cases = {
    node: { args: ['-e', '0'], env: {} },
    dist: { args: ['bin/syncline.js', '--help'], env: { SYNCLINE_CLI: 'dist' } },
    src: { args: ['bin/syncline.js', '--help'], env: { SYNCLINE_CLI: 'src' } },
  } as const;
  const wall: Record<string, number[]> = { node: [], dist: [], src: [] };
  const cpu: Record<string, number[]> = { node: [], dist: [], src: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const [k, c] of Object.entries(cases)) {
      wall[k]!.push(once([...c.args], c.env).wallMs);
      cpu[k]!.push(cpuOf([...c.args], c.env));
    }
  }
  return [
    { name: 'node -e 0 (Node start, reference), wall', value: median(wall.node!), unit: 'ms' },
    { name: 'syncline --help, compiled (dist/), wall', value: median(wall.dist!), unit: 'ms', target: '< 300' },
    { name: 'syncline --help, through tsx (src/), wall', value: median(wall.src!), unit: 'ms' },
    { name: 'node -e 0, CPU user+sys', value: median(cpu.node!), unit: 'ms' },
    { name: 'syncline --help, compiled, CPU user+sys', value: median(cpu.dist!), unit: 'ms' },
    { name: 'syncline --help, through tsx, CPU user+sys', value: median(cpu.src!), unit: 'ms' },
  ];
}
