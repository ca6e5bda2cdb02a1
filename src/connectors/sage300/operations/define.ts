// Every Sage 300 operation is declared through here: input is checked before any call (a clear
// SAGE300_INVALID_INPUT user error, never a crash), and callers may pass the schema's input form.
import type { z } from 'zod';
import { defineOperation, type Operation } from '../../types.js';
import { invalidInput, type Sage300Client } from '../client.js';

/** Sage's Web API documentation: Developer Reference and Endpoint Reference (Aug 2022). */
export const WEBAPI_DOCS = 'https://github.com/SageNADev/Sage300-SDK/tree/master/docs/webapi';
export const SAMPLES = 'https://github.com/SageNADev/Sage300-SDK/tree/master/samples/WebApi_SamplePostPayloads';

export interface Sage300Operation<IS extends z.ZodType, OS extends z.ZodType> extends Operation<z.output<IS>, z.output<OS>, Sage300Client> {
  call(client: Sage300Client, input: z.input<IS>): Promise<z.output<OS>>;
}

export function sage300Operation<IS extends z.ZodType, OS extends z.ZodType>(op: {
  id: string;
  docs: string;
  input: IS;
  output: OS;
  run(client: Sage300Client, input: z.output<IS>): Promise<z.output<OS>>;
}): Sage300Operation<IS, OS> {
  const base = defineOperation<z.output<IS>, z.output<OS>, Sage300Client>(op as unknown as Operation<z.output<IS>, z.output<OS>, Sage300Client>);
  return {
    ...base,
    async call(client: Sage300Client, input: z.input<IS>): Promise<z.output<OS>> {
      const parsed = op.input.safeParse(input);
      if (!parsed.success) throw invalidInput(op.id, parsed.error);
      return op.run(client, parsed.data);
    },
  };
}
