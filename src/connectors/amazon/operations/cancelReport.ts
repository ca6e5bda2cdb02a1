import { z } from 'zod';
import { amazonOperation } from './define.js';

export const cancelReport = amazonOperation({
  id: 'cancelReport',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/reports-api-v2021-06-30-reference#cancelreport',
  input: z.strictObject({ reportId: z.string().min(1) }),
  output: z.object({ cancelled: z.literal(true) }),
  async run(client, i) {
    await client.call('cancelReport', `/reports/2021-06-30/reports/${encodeURIComponent(i.reportId)}`, { method: 'DELETE' });
    return { cancelled: true };
  },
});
