import { defineErrorCodes } from '../core/errors.js';

export const flowErrorCodes = defineErrorCodes({
  FLOW_INVALID: { kind: 'user', description: 'A flow document does not follow flows/flow.schema.json or names a role, operation, poller, mapping or step that does not exist. `details.problems` lists each with its path.' },
  LOOKUP_NOT_FOUND: { kind: 'user', description: 'A lookup step found no target record for its key and the flow may neither create one nor fall back (`otherwise`). Create the record (or add a fallback), then replay.' },
  LOOKUP_IN_PROGRESS: { kind: 'transient', description: 'Another run is creating the same target record (e.g. two first orders of one new buyer); this one waits for it instead of creating a duplicate.' },
  DELIVERY_OUTCOME_UNKNOWN: { kind: 'transient', description: 'A create timed out or lost its answer, so the target may still apply it. The step waits the settle time (longer than the target\'s own request limit), then looks the record up by its reference before creating again.' },
  EVENT_VERSION_INVALID: { kind: 'user', description: 'An event\'s version does not follow the version scheme its source entity declares (e.g. an ISO date where X-Cart order versions are `<12-digit seconds>.<4-digit revision>`); refused at intake so versions always compare correctly.' },
});
