// Child process for `npm run bench -- amazon-x3`: imports one settlement file (dry run: parsed,
// categorised through the settlement-accounts table, summarised, journal built, orders drilled down,
// fees checked) and prints {lines, difference, balanced, orders, ms, cpuMs, peakRssMb} as JSON.
// Bundled to plain JS first, so the figure is the module's, not tsx's.
//   node settlement-import.mjs FILE TEMPLATE TABLE
import { fileLines, importSettlement } from '../../src/settlement/index.js';

const [file, template, table] = process.argv.slice(2);
if (!file || !template || !table) {
  console.error('usage: settlement-import.child FILE TEMPLATE TABLE');
  process.exit(2);
}
const t0 = performance.now();
const c0 = process.cpuUsage();
const r = await importSettlement(fileLines(file), { template, table, options: { site: 'US011' }, fees: { referral: { rate: '0.15' } } });
const ms = performance.now() - t0;
const c = process.cpuUsage(c0);
console.log(JSON.stringify({
  lines: r.lines, total: r.totalAmount, difference: r.difference, balanced: r.journal.balanced, orders: r.drillDown.orders, sumsBack: r.drillDown.sumsBack,
  feesChecked: r.fees.checked, ms, cpuMs: (c.user + c.system) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024,
}));
