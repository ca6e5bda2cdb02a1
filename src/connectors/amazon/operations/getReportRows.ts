// A requestable flat-file report as rows, so a flow (which does no I/O of its own) can read one:
// createReport → getReport until DONE → getReportDocument → the tab-separated lines, each row an
// object keyed by the header's column names. For small reports (FBA customer returns, listings);
// settlement reports are streamed by the settlement workflow instead.
// https://developer-docs.amazon.com/sp-api/docs/reports-api-v2021-06-30-reference
import { z } from 'zod';
import { userError } from '../../../core/errors.js';
import { isoDateTime } from '../schemas.js';
import { reportLines, requestReport } from '../workflows.js';
import { amazonOperation } from './define.js';

const MAX_ROWS = 50_000;

export const getReportRows = amazonOperation({
  id: 'getReportRows',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/reports-api-v2021-06-30-reference#createreport',
  input: z.strictObject({
    reportType: z.string().min(1),
    dataStartTime: isoDateTime.optional(),
    dataEndTime: isoDateTime.optional(),
    marketplaceIds: z.array(z.string().min(1)).min(1).max(25).optional(),
    /** Pause between getReport polls (Amazon takes minutes, the sandbox seconds). */
    pollMs: z.number().int().min(0).optional(),
    timeoutMs: z.number().int().min(1).optional(),
  }),
  output: z.looseObject({ reportId: z.string(), rows: z.array(z.record(z.string(), z.string())) }),
  async run(client, i) {
    const { pollMs, timeoutMs, ...spec } = i;
    const report = await requestReport(client, spec, { ...(pollMs !== undefined ? { pollMs } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
    if (!report.reportDocumentId) return { reportId: report.reportId, rows: [] };
    let header: string[] | undefined;
    const rows: Array<Record<string, string>> = [];
    for await (const line of reportLines(client, report.reportDocumentId)) {
      if (line.trim() === '') continue;
      const cells = line.replace(/\r$/, '').split('\t');
      if (!header) {
        header = cells.map((c) => c.trim());
        continue;
      }
      if (rows.length >= MAX_ROWS) throw userError('AMAZON_INPUT_INVALID', `report ${report.reportId} (${i.reportType}) has more than ${MAX_ROWS} rows; ask for a shorter data range`, { details: { reportId: report.reportId } });
      rows.push(Object.fromEntries(header.map((h, k) => [h, cells[k] ?? ''])));
    }
    return { reportId: report.reportId, rows };
  },
});
