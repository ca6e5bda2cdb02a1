// First paint of the console on the demo (issue 13: "fast: first paint < 1 s on the demo"), in Debian's
// Chromium driven by playwright-core, read from the browser's own Performance API: first-contentful-paint
// (the sign-in shell) and the time until the dashboard shows its data (connection cards). Each load is a
// new browser context (cold cache) against a demo with orders delivered; the median of the loads counts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startDemo } from '../../src/cli/commands/demo.js';
import type { Figure } from '../run.js';

const CHROMIUM = '/usr/bin/chromium';
const LOADS = 9;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function (): Promise<Figure[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  if (!existsSync(path.resolve(import.meta.dirname, '../../console/dist/index.html'))) throw new Error('build the console first: npm run build:console');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'syncline-bench-console-'));
  const demo = await startDemo({ port: 0, dataDir, sandboxPorts: { xcart: 0, sage300: 0 } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const base = demo.runtime.url;
    demo.xcart.storefront.placeOrders(12);
    const admin = (await demo.runtime.tokens.create('bench', 'admin')).token;
    const fcp: number[] = [];
    const data: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const link = (await (await fetch(`${base}/api/users`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `bench-${i}`, role: 'viewer' }) })).json()) as { signinToken: string };
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      const page = await ctx.newPage();
      await page.goto(`${base}/#signin=${link.signinToken}`);
      await page.locator('.conn-card').first().waitFor();
      const t = await page.evaluate(() => ({
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
        data: performance.now(),
      }));
      fcp.push(t.fcp);
      data.push(t.data);
      await ctx.close();
    }
    return [
      { name: `first contentful paint, median of ${LOADS} cold loads`, value: median(fcp), unit: 'ms', target: '< 1000' },
      { name: `dashboard with its data (sign-in included), median of ${LOADS}`, value: median(data), unit: 'ms' },
    ];
  } finally {
    await browser.close();
    await demo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
