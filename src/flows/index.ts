// The flow runtime (decision 0005): flow documents (flows/**/*.yaml) compiled onto registered step kinds.
export { parseFlowDocument, loadFlowFile, flowHash, FLOWS_DIR, MAPPINGS_DIR, type FlowDocument, type FlowStepDoc, type Trigger } from './document.js';
export { compileFlow, loadFlowMappings, DEFAULT_SETTLE_MS, type Binding, type FlowDeployment } from './compile.js';
export { deployFlows, type DeployedFlows, type FlowConfigEntry, type PollerPlan, type SchedulePlan } from './deploy.js';
export { FlowVersionStore, shippedFlows, resolveFlow, type FlowVersionView } from './catalog.js';
export { stepKinds } from './steps/index.js';
