// Child process for the settlement benchmark: streams one settlement report through the connector
// and prints {lines, sum, total, peakRssMb, ms} as JSON. Run alone so its RSS is the connector's.
//   node --import tsx src/connectors/amazon/settlement-stream.child.ts '<sandbox json>' <reportDocumentId>
// (the benchmark bundles it to plain JS first, as a deployment would run it, so tsx's own memory
// does not count against the connector).
import { clientFor } from './testing.js';
import { streamSettlementReport } from './workflows.js';

const [sandboxJson, reportDocumentId] = process.argv.slice(2);
if (!sandboxJson || !reportDocumentId) {
  console.error('usage: settlement-stream.child.ts <sandbox json {url, credentials}> <reportDocumentId>');
  process.exit(2);
}
const client = clientFor(JSON.parse(sandboxJson) as { url: string; credentials: Record<string, unknown> });
const t0 = Date.now();
let peak = process.memoryUsage().rss;
const reader = await streamSettlementReport(client, reportDocumentId);
let n = 0;
for await (const _line of reader.lines) {
  if (++n % 25_000 === 0) {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
  }
}
const { lineCount, sum } = reader.result();
peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
console.log(JSON.stringify({ lines: lineCount, sum, total: reader.summary.totalAmount, peakRssMb: peak / 1024 / 1024, ms: Date.now() - t0 }));
process.exit(0);
