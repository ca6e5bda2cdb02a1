// Every step kind, registered once; any flow can use any of them by name.
import type { FlowStepDoc } from '../document.js';
import { deliverStep } from './deliver.js';
import { diffStep } from './diff.js';
import { eachStep } from './each.js';
import { emitStep } from './emit.js';
import { fetchStep } from './fetch.js';
import { holdStep } from './hold.js';
import type { StepKind } from './kind.js';
import { lookupStep } from './lookup.js';
import { mapStep } from './map.js';
import { settlementStep } from './settlement.js';
import { validateStep } from './validate.js';
import { whenStep } from './when.js';

export const stepKinds: Record<FlowStepDoc['kind'], StepKind<any>> = {
  fetch: fetchStep,
  lookup: lookupStep,
  map: mapStep,
  validate: validateStep,
  deliver: deliverStep,
  when: whenStep,
  each: eachStep,
  emit: emitStep,
  diff: diffStep,
  hold: holdStep,
  settlement: settlementStep,
};

export type { StepKind, StepEnv, RunScope, StepRun } from './kind.js';
