/** Errors the API reports to its callers: a code the UI can act on, and a message a person can. */
export const API_ERROR_CODES = [
  'BAD_REQUEST',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHORIZED',
  'PAYLOAD_TOO_LARGE',
  /** The station's disk is full or refuses writes: the technician can act (free space). */
  'INSUFFICIENT_STORAGE',
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  /** Field-level problems of a rejected argument, e.g. {"title": "is required"}. */
  fields?: Record<string, string>;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ApiErrorBody {
    return this.fields
      ? { code: this.code, message: this.message, fields: this.fields }
      : { code: this.code, message: this.message };
  }
}

export const HTTP_STATUS_OF: Record<ApiErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL: 500,
  INSUFFICIENT_STORAGE: 507,
};

/** What every transport says when the technician cancels an upload. */
export const UPLOAD_CANCELLED_MESSAGE = 'Upload cancelled: nothing was added.';
