import { z } from 'zod';
import { amazonOperation } from './define.js';

export const getReportDocument = amazonOperation({
  id: 'getReportDocument',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/reports-api-v2021-06-30-reference#getreportdocument',
  input: z.strictObject({ reportDocumentId: z.string().min(1) }),
  output: z.looseObject({ reportDocumentId: z.string(), url: z.string(), compressionAlgorithm: z.literal('GZIP').optional() }),
  async run(client, i) {
    return (await client.call('getReportDocument', `/reports/2021-06-30/documents/${encodeURIComponent(i.reportDocumentId)}`)).body;
  },
});
