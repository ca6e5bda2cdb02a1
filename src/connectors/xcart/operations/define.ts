// Every X-Cart operation is declared through here: input is checked before any call (a clear
// `XCART_VALIDATION` user error, never a crash), and callers may pass the schema's input form.
import type { z } from 'zod';
import { defineOperation, type Operation } from '../../types.js';
import { invalidInput, type XcartClient } from '../client.js';

export interface XcartOperation<IS extends z.ZodType, OS extends z.ZodType> extends Operation<z.output<IS>, z.output<OS>, XcartClient> {
  call(client: XcartClient, input: z.input<IS>): Promise<z.output<OS>>;
}

export function xcartOperation<IS extends z.ZodType, OS extends z.ZodType>(op: {
  id: string;
  docs: string;
  input: IS;
  output: OS;
  run(client: XcartClient, input: z.output<IS>): Promise<z.output<OS>>;
}): XcartOperation<IS, OS> {
  const base = defineOperation<z.output<IS>, z.output<OS>, XcartClient>(op as unknown as Operation<z.output<IS>, z.output<OS>, XcartClient>);
  return {
    ...base,
    async call(client: XcartClient, input: z.input<IS>): Promise<z.output<OS>> {
      const parsed = op.input.safeParse(input);
      if (!parsed.success) throw invalidInput(op.id, parsed.error);
      return op.run(client, parsed.data);
    },
  };
}
