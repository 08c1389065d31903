/** ThingsBoard's error codes (ThingsboardErrorCode) as the REST API reports them. */
export const TB_ERROR = {
  GENERAL: 2,
  AUTHENTICATION: 10,
  JWT_TOKEN_EXPIRED: 11,
  PERMISSION_DENIED: 20,
  INVALID_ARGUMENTS: 30,
  BAD_REQUEST_PARAMS: 31,
  ITEM_NOT_FOUND: 32,
  TOO_MANY_REQUESTS: 33,
  VERSION_CONFLICT: 35,
} as const;

/** A refusal the emulator answers with TB's body: {status, message, errorCode, timestamp}. */
export class CloudError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CloudError';
  }

  static badRequest(message: string): CloudError {
    return new CloudError(400, TB_ERROR.BAD_REQUEST_PARAMS, message);
  }

  static notFound(message = "Requested item wasn't found!"): CloudError {
    return new CloudError(404, TB_ERROR.ITEM_NOT_FOUND, message);
  }

  body(now: number): Record<string, unknown> {
    return {
      status: this.status,
      message: this.message,
      errorCode: this.errorCode,
      timestamp: now,
    };
  }
}
