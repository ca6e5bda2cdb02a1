// Child process for the settlement benchmark: streams one settlement report through the connector
// and prints {lines, sum, total, peakRssMb, ms} as JSON. Run alone so its RSS is the connector's.
//   node --import tsx src/connectors/amazon/settlement-stream.child.ts '<sandbox json>' <reportDocumentId>
import { clientFor } from './testing.js';
import { streamSettlementReport } from './workflows.js';

const [sandboxJson, reportDocumentId] = process.argv.slice(2);
if (!sandboxJson || !reportDocumentId) {
  console.error('usage: settlement-stream.child.ts <sandbox json {url, credentials}> <reportDocumentId>');
  process.exit(2);
}
const client = clientFor(JSON.parse(sandboxJson) as { url: string; credentials: Record<string, unknown> });
console.error("baseline rss MB", (process.memoryUsage().rss / 1048576).toFixed(1));
const t0 = Date.now();
let peak = process.memoryUsage().rss;
const reader = await streamSettlementReport(client, reportDocumentId);
let n = 0;
for await (const _line of reader.lines) {
  if (++n % 25_000 === 0) {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    if (process.env.DEBUG_RSS && (n <= 300_000 || n % 200_000 === 0)) console.error(n, (m.rss / 1048576).toFixed(0), (m.heapUsed / 1048576).toFixed(0), (m.heapTotal / 1048576).toFixed(0), (m.external / 1048576).toFixed(0), (m.arrayBuffers / 1048576).toFixed(0));
  }
}
const { lineCount, sum } = reader.result();
peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
console.log(JSON.stringify({ lines: lineCount, sum, total: reader.summary.totalAmount, peakRssMb: peak / 1024 / 1024, ms: Date.now() - t0 }));
process.exit(0);
