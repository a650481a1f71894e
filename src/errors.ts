/**
 * Every error Larder throws on purpose. Each carries a stable `code` callers can switch on, an
 * optional HTTP `statusCode` (handlers map errors to responses through it), and the `cause` it wraps.
 * Foreign errors (SDK, fs) are wrapped once, at the edge of the module that met them.
 */
export type LarderErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'TABLE_NOT_FOUND'
  | 'TABLE_INVALID'
  | 'OBJECT_NOT_FOUND'
  | 'CACHE_ERROR'
  | 'EVENT_INVALID'
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_LARGE'
  | 'REJECTED'
  | 'UNAUTHORIZED'
  | 'NOT_IMPLEMENTED'
  | 'THROTTLED'
  | 'UPSTREAM'
  | 'PORT_IN_USE'
  | 'SERVICE_START'
  | 'TEMPLATE_INVALID'
  | 'FUNCTION_NOT_FOUND'
  | 'INTERNAL';

export interface LarderErrorOptions {
  cause?: unknown;
  statusCode?: number;
  details?: Record<string, unknown>;
}

export class LarderError extends Error {
  readonly code: LarderErrorCode;
  readonly statusCode: number;
  readonly details?: Record<string, unknown>;

  constructor(code: LarderErrorCode, message: string, options: LarderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LarderError';
    this.code = code;
    this.statusCode = options.statusCode ?? defaultStatus(code);
    this.details = options.details;
  }
}

/** Thrown by loadConfig when ml_config.yaml is missing, unparsable or fails validation. */
export class ConfigError extends LarderError {
  constructor(message: string, options: LarderErrorOptions = {}) {
    super(options.details?.notFound ? 'CONFIG_NOT_FOUND' : 'CONFIG_INVALID', message, options);
    this.name = 'ConfigError';
  }
}

/** Thrown when a request or event is malformed; always a 400 with a message saying what was wrong. */
export class ValidationError extends LarderError {
  constructor(message: string, options: LarderErrorOptions = {}) {
    super('VALIDATION', message, { statusCode: 400, ...options });
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends LarderError {
  constructor(message: string, options: LarderErrorOptions = {}) {
    super('NOT_FOUND', message, { statusCode: 404, ...options });
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends LarderError {
  constructor(message: string, options: LarderErrorOptions = {}) {
    super('CONFLICT', message, { statusCode: 409, ...options });
    this.name = 'ConflictError';
  }
}

function defaultStatus(code: LarderErrorCode): number {
  switch (code) {
    case 'EVENT_INVALID':
    case 'VALIDATION':
      return 400;
    case 'NOT_FOUND':
    case 'OBJECT_NOT_FOUND':
    case 'TABLE_NOT_FOUND':
    case 'FUNCTION_NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'TOO_LARGE':
      return 413;
    case 'REJECTED':
      return 424;
    case 'THROTTLED':
      return 503;
    case 'UPSTREAM':
      return 502;
    default:
      return 500;
  }
}

export function isLarderError(err: unknown): err is LarderError {
  return err instanceof LarderError;
}

/** A short, safe description of any thrown value (never a stack trace). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
