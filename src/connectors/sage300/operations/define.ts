// Every Sage 300 operation is declared through here: input is checked before any call (a clear
// SAGE300_INVALID_INPUT user error, never a crash), and callers may pass the schema's input form.
import type { z } from 'zod';
import { operationDefiner, type DefinedOperation } from '../../types.js';
import { invalidInput, type Sage300Client } from '../client.js';

/** Sage's Web API documentation: Developer Reference and Endpoint Reference (Aug 2022). */
export const WEBAPI_DOCS = 'https://github.com/SageNADev/Sage300-SDK/tree/master/docs/webapi';
export const SAMPLES = 'https://github.com/SageNADev/Sage300-SDK/tree/master/samples/WebApi_SamplePostPayloads';

export type Sage300Operation<IS extends z.ZodType, OS extends z.ZodType> = DefinedOperation<IS, OS, Sage300Client>;

export const sage300Operation = operationDefiner<Sage300Client>(invalidInput);
