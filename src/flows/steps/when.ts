// when: a guard. False ends the run as skipped, with the reason recorded (a pending Amazon order,
// an unpaid X-Cart order): not an error, nothing to replay.
import { FlowStop } from '../../core/flow.js';
import { truthy } from '../../mapping/expr.js';
import type { WhenStep } from '../document.js';
import type { StepKind } from './kind.js';

export const whenStep: StepKind<WhenStep> = {
  kind: 'when',
  retry: 'never',
  compile(step, env) {
    const condition = env.expr(step.condition, 'condition');
    return async (scope) => {
      if (truthy(await condition(scope))) return true;
      throw new FlowStop(step.reason ?? `${step.id}: ${step.condition} is false`);
    };
  },
};
