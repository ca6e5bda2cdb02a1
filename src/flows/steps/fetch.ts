// fetch: a connector read operation (e.g. the order's payment transactions).
import type { FetchStep } from '../document.js';
import type { StepKind } from './kind.js';

export const fetchStep: StepKind<FetchStep> = {
  kind: 'fetch',
  retry: 'transient',
  compile(step, env) {
    const input = step.input ? env.expr(step.input, 'input') : undefined;
    return async (scope) => env.call(step.operation, input ? await input(scope) : {});
  },
};
