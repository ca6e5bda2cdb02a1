import { defineErrorCodes } from '../core/errors.js';

export const mappingErrorCodes = defineErrorCodes({
  MAPPING_SYNTAX: { kind: 'user', description: 'A mapping spec, lookup table or target schema could not be read: bad YAML, an unknown key or a JSONata syntax error. `details` names the file, line and column; fix the file and reload.' },
  MAPPING_INVALID: { kind: 'user', description: 'The record could not be mapped or failed validation against the target schema. `details.errors` lists every field path and reason at once (unknown SKU with the closest matches, missing field, too long, not allowed). Fix the source record or the lookup table, then replay.' },
  MAPPING_NOT_FOUND: { kind: 'user', description: 'A flow asked for a mapping id, version, lookup table or target schema that is not installed. Install it or pin a version that exists.' },
  MAPPING_BUDGET_EXCEEDED: { kind: 'user', description: 'A mapping or flow expression went over its budget for one record: time, recursion depth, the size of a string or list it made, or all it made together (`details.limit`). The message names the mapping, the target field and the expression; the one event is dead-lettered and every other event carries on. Fix the expression (or the record that drove it), then replay.' },
  MAPPING_EXPRESSION_FAILED: { kind: 'user', description: 'A flow expression (a condition, a step input, a key) failed at run time: a type error such as adding text to a number, or a built-in that met bad data (an unknown lookup key). The message names the expression and where it lives.' },
  MAPPING_NEEDS_ASYNC: { kind: 'bug', description: 'Code called `runSync()` on a mapping whose expressions need the jsonata evaluator; it must call `run()`.' },
  MAPPING_CASE_FAILED: { kind: 'user', description: 'A `*.cases.yaml` case did not produce its expected output; the message carries the diff. Raised by `syncline mapping test`.' },
});
