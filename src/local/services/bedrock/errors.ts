/**
 * Bedrock's error shapes. bedrock-runtime speaks restJson1: an error is an HTTP status, the header
 * `x-amzn-ErrorType: <Name>` and a JSON body `{"message": "..."}`. The SDK's restJson1 deserializer
 * (@smithy/core `loadRestJsonErrorCode`) reads the error name from that header first, then from the
 * body's `code`, then `__type`; we send the header and `__type` so any reader finds it. The SDK then
 * throws its own typed class (`ValidationException`, `ThrottlingException`, …).
 */

/** Error names bedrock-runtime declares, with the HTTP status Bedrock answers them with. */
export const BEDROCK_ERROR_STATUS = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelNotReadyException: 429,
  ThrottlingException: 429,
  ServiceQuotaExceededException: 400,
  ModelErrorException: 424,
  ModelTimeoutException: 408,
  ServiceUnavailableException: 503,
  InternalServerException: 500,
} as const;

export type BedrockErrorName = keyof typeof BEDROCK_ERROR_STATUS;

/** An error the emulator answers with, in Bedrock's shape. Thrown anywhere inside a request. */
export class BedrockServiceError extends Error {
  readonly errorName: BedrockErrorName;
  readonly statusCode: number;

  constructor(errorName: BedrockErrorName, message: string, statusCode?: number) {
    super(message);
    this.name = 'BedrockServiceError';
    this.errorName = errorName;
    this.statusCode = statusCode ?? BEDROCK_ERROR_STATUS[errorName];
  }
}

export function isBedrockErrorName(name: string): name is BedrockErrorName {
  return Object.prototype.hasOwnProperty.call(BEDROCK_ERROR_STATUS, name);
}

/** Shorthand for the most common case. */
export function validationError(message: string): BedrockServiceError {
  return new BedrockServiceError('ValidationException', message);
}
