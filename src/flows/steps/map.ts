// map: a mapping by id. Its errors do not fail the step: `validate` reports them all at once.
import type { MapStep } from '../document.js';
import type { StepKind } from './kind.js';

export const mapStep: StepKind<MapStep> = {
  kind: 'map',
  retry: 'never',
  compile(step, env) {
    const mapping = env.mapping(step.mapping);
    const input = step.input ? env.expr(step.input, 'input') : env.expr('event.payload', 'input');
    const options = step.options ? env.expr(step.options, 'options') : undefined;
    return async (scope) => {
      const opts = options ? ((await options(scope)) as Record<string, unknown>) : env.mappingOptions;
      return mapping.run(await input(scope), { options: opts });
    };
  },
};
