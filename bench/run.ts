// `npm run bench -- [suite …] [--json]`: runs every file in bench/<suite>/ (all suites when none is
// named) and prints a table, or with --json one object with every figure by name.
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The issue's target, e.g. ">= 5000" or "< 20"; printed beside the figure. */
  target?: string;
}
export type BenchFile = { default: () => Promise<Figure[]> };

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const wanted = args.filter((a) => !a.startsWith('--'));
const suites = wanted.length ? wanted : (await readdir(here, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();

const results: Record<string, Record<string, { value: number; unit: string; target?: string }>> = {};
let failed = false;
for (const suite of suites) {
  let files: string[];
  try {
    files = (await readdir(path.join(here, suite))).filter((f) => f.endsWith('.ts')).sort();
  } catch {
    console.error(`unknown bench suite "${suite}"`);
    process.exit(2);
  }
  results[suite] = {};
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(here, suite, file)).href)) as BenchFile;
    try {
      for (const f of await mod.default()) {
        results[suite][f.name] = { value: f.value, unit: f.unit, ...(f.target ? { target: f.target } : {}) };
        if (!json) console.log(`${suite.padEnd(10)} ${f.name.padEnd(58)} ${fmt(f.value).padStart(12)} ${f.unit.padEnd(10)} ${f.target ? `target ${f.target}` : ''}`);
      }
    } catch (e) {
      failed = true;
      console.error(`${suite}/${file} failed:`, e);
    }
  }
}
if (json) console.log(JSON.stringify(results));
process.exit(failed ? 1 : 0);

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v.toFixed(2);
}
