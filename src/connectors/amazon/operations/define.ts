// Every Amazon operation is declared through here: input is checked before any call (a clear
// AMAZON_INPUT_INVALID user error), and the answer is checked against the operation's output schema
// (AMAZON_UNEXPECTED_RESPONSE, a bug, if Amazon's answer is not what the model promises); a plain
// answer the schema would take as it is is only looked at (answer-check.ts), not copied by zod.
import type { z } from 'zod';
import { describeIssues, operationDefiner, type DefinedOperation } from '../../types.js';
import { userError } from '../../../core/errors.js';
import { unexpected, type SpApiClient } from '../client.js';
import { answerCheck } from '../answer-check.js';

export type AmazonOperation<IS extends z.ZodType, OS extends z.ZodType> = DefinedOperation<IS, OS, SpApiClient>;

const define = operationDefiner<SpApiClient>((operation, error) =>
  userError('AMAZON_INPUT_INVALID', `${operation}: invalid input: ${describeIssues(error)}`, { details: { operation, issues: error.issues } }),
);

export function amazonOperation<IS extends z.ZodType, OS extends z.ZodType>(op: {
  id: string;
  docs: string;
  input: IS;
  output: OS;
  /** Returns the raw answer; it is checked against `output` before the caller sees it. */
  run(client: SpApiClient, input: z.output<IS>): Promise<unknown>;
}): AmazonOperation<IS, OS> {
  const accepts = answerCheck(op.output);
  return define({
    ...op,
    run: async (client, input) => {
      const raw = await op.run(client, input);
      if (accepts?.(raw)) return raw as z.output<OS>;
      const out = op.output.safeParse(raw);
      if (!out.success) throw unexpected(op.id, out.error.issues);
      return out.data;
    },
  });
}
