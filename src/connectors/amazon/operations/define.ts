// Every Amazon operation is declared through here: input is checked before any call (a clear
// AMAZON_INPUT_INVALID user error), and the answer is checked against the operation's output schema
// (AMAZON_UNEXPECTED_RESPONSE, a bug, if Amazon's answer is not what the model promises).
import type { z } from 'zod';
import { defineOperation, type Operation } from '../../types.js';
import { userError } from '../../../core/errors.js';
import { unexpected, type SpApiClient } from '../client.js';

export interface AmazonOperation<IS extends z.ZodType, OS extends z.ZodType> extends Operation<z.output<IS>, z.output<OS>, SpApiClient> {
  call(client: SpApiClient, input: z.input<IS>): Promise<z.output<OS>>;
}

export function amazonOperation<IS extends z.ZodType, OS extends z.ZodType>(op: {
  id: string;
  docs: string;
  input: IS;
  output: OS;
  /** Returns the raw answer; it is checked against `output` before the caller sees it. */
  run(client: SpApiClient, input: z.output<IS>): Promise<unknown>;
}): AmazonOperation<IS, OS> {
  const checkedRun = async (client: SpApiClient, input: z.output<IS>): Promise<z.output<OS>> => {
    const raw = await op.run(client, input);
    const out = op.output.safeParse(raw);
    if (!out.success) throw unexpected(op.id, out.error.issues);
    return out.data;
  };
  const base = defineOperation<z.output<IS>, z.output<OS>, SpApiClient>({ ...op, run: checkedRun } as Operation<z.output<IS>, z.output<OS>, SpApiClient>);
  return {
    ...base,
    async call(client: SpApiClient, input: z.input<IS>): Promise<z.output<OS>> {
      const parsed = op.input.safeParse(input);
      if (!parsed.success) {
        throw userError('AMAZON_INPUT_INVALID', `${op.id}: invalid input: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, {
          details: { operation: op.id, issues: parsed.error.issues },
        });
      }
      return checkedRun(client, parsed.data);
    },
  };
}
