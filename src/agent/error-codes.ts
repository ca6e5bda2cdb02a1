import { defineErrorCodes } from '../core/errors.js';

export const agentErrorCodes = defineErrorCodes({
  AGENT_CALL_REFUSED: { kind: 'user', description: 'The on-premise agent refused the call: its own allow-list (hosts, path prefixes, methods in the agent\'s local configuration) does not permit it. The hub cannot widen that list; change the agent\'s configuration if the call is meant to be allowed.' },
  AGENT_ENROLMENT_FAILED: { kind: 'user', description: 'An agent could not enrol: the one-time token is unknown, used or expired, or the hub\'s CA does not match the fingerprint in the token. Create a new token with `syncline agent token create --group G`.' },
  AGENT_CONFIG_INVALID: { kind: 'user', description: 'The agent\'s configuration file is missing, does not parse or fails validation; the message lists every problem.' },
});
