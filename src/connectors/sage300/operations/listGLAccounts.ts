// GET GL/GLAccounts — the chart of accounts (to validate mapping targets before posting).
import { z } from 'zod';
import { sage300Operation, WEBAPI_DOCS } from './define.js';

export const glAccountOut = z.looseObject({ UnformattedAccount: z.string(), AccountNumber: z.string(), Description: z.string().optional(), AccountType: z.string().optional(), Status: z.string().optional() });

export const listGLAccounts = sage300Operation({
  id: 'listGLAccounts',
  docs: `${WEBAPI_DOCS} (GLAccounts)`,
  input: z.strictObject({ activeOnly: z.boolean().default(true) }).default({ activeOnly: true }),
  output: z.array(glAccountOut),
  run: (client, { activeOnly }) => client.list('listGLAccounts', 'GL', 'GLAccounts', glAccountOut, activeOnly ? { filter: "Status eq 'Active'" } : {}),
});
