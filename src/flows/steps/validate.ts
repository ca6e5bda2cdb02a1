// validate: every problem of a map step at once (unknown SKUs with suggestions, missing fields), as
// one user error; otherwise the mapped record.
import { mappingError, type MappingResult } from '../../mapping/index.js';
import type { MapStep, ValidateStep } from '../document.js';
import type { StepKind } from './kind.js';

export const validateStep: StepKind<ValidateStep> = {
  kind: 'validate',
  retry: 'never',
  compile(step, env) {
    const of = findMap(env.flow.steps, step.of);
    const mapping = of ? env.mapping(of.mapping) : undefined;
    return async (scope) => {
      const result = scope.steps[step.of] as MappingResult | null;
      if (!result) return null;
      if (result.errors.length) throw mappingError(result, mapping);
      return result.output;
    };
  },
};

function findMap(steps: Array<{ id: string; kind: string; steps?: unknown }>, id: string): MapStep | undefined {
  for (const s of steps) {
    if (s.id === id && s.kind === 'map') return s as MapStep;
    if (Array.isArray(s.steps)) {
      const inner = findMap(s.steps as typeof steps, id);
      if (inner) return inner;
    }
  }
  return undefined;
}
