import { defineErrorCodes } from '../../core/errors.js';

export const consoleErrorCodes = defineErrorCodes({
  CONSOLE_SIGNIN_INVALID: { kind: 'user', description: 'The console sign-in link is unknown, was used already (a link works once) or expired (24 h) (401). Ask an admin for a new link, or restart `syncline demo`.' },
  CONSOLE_CSRF_REJECTED: { kind: 'user', description: 'A write made with a console session cookie lacked the session\'s `X-CSRF-Token` header or came from another origin (403). The console sends it itself; scripts should use a bearer token.' },
  USER_INVALID: { kind: 'user', description: 'A console user could not be created or changed: the name is not 1-64 letters, digits, ".", "_", "@" or "-", it is taken, or the role is not viewer, operator or admin.' },
  TEMPLATE_VERSION_INVALID: { kind: 'user', description: 'A mapping template or lookup table saved from the console (or the API) does not parse, compile or check: `details` names the line and column. Nothing was saved; new events keep running the previous version.' },
});
