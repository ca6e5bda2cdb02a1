// The Sage 300 Web API error body (SDK DeveloperReference):
//   {"error":{"code":"RecordNotFound","message":{"lang":"en-US","value":"A Record cannot be found …"}}}
// Clients must read `code`, not the HTTP status; the status still follows the observed pairs
// (404 RecordNotFound, 409 General/FieldInvalid/RecordDuplicate for view errors, 400 for bad requests).
export type SageErrorCode =
  | 'InternalServerError' | 'Unauthorized' | 'Forbidden' | 'TooManyRequests' | 'InvalidParameters' | 'ResourceNotFound'
  | 'InvalidEntityKey' | 'RecordNotFound' | 'MethodNotAllowed' | 'InvalidPayload' | 'InvalidAction' | 'DBLinkError'
  | 'SessionError' | 'RecordDuplicate' | 'RecordInvalid' | 'General' | 'FieldInvalid' | 'ServiceUnavailable';

export class SageApiError extends Error {
  constructor(readonly status: number, readonly code: SageErrorCode, message: string) {
    super(message);
  }
}

export function errorBody(code: string, message: string): { error: { code: string; message: { lang: string; value: string } } } {
  return { error: { code, message: { lang: 'en-US', value: message } } };
}

export const notFound = () => new SageApiError(404, 'RecordNotFound', 'A Record cannot be found for the specified entity key');
export const fieldInvalid = (message: string) => new SageApiError(409, 'FieldInvalid', message);
export const general = (message: string) => new SageApiError(409, 'General', message);
export const duplicate = (message = 'Record already exists.') => new SageApiError(409, 'RecordDuplicate', message);
export const invalidPayload = (message: string) => new SageApiError(400, 'InvalidPayload', message);
export const invalidParameters = (message: string) => new SageApiError(400, 'InvalidParameters', message);
