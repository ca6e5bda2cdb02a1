// Every X-Cart operation is declared through here: input is checked before any call (a clear
// `XCART_VALIDATION` user error, never a crash), and callers may pass the schema's input form.
import type { z } from 'zod';
import { operationDefiner, type DefinedOperation } from '../../types.js';
import { invalidInput, type XcartClient } from '../client.js';

export type XcartOperation<IS extends z.ZodType, OS extends z.ZodType> = DefinedOperation<IS, OS, XcartClient>;

export const xcartOperation = operationDefiner<XcartClient>(invalidInput);
