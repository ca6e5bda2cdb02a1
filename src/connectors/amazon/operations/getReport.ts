import { z } from 'zod';
import { amazonOperation } from './define.js';
import { reportSchema } from '../schemas.js';

export const getReport = amazonOperation({
  id: 'getReport',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/reports-api-v2021-06-30-reference#getreport',
  input: z.strictObject({ reportId: z.string().min(1) }),
  output: reportSchema,
  async run(client, i) {
    return (await client.call('getReport', `/reports/2021-06-30/reports/${encodeURIComponent(i.reportId)}`)).body;
  },
});
