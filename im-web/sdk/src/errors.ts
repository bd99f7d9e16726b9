import { errorName } from './commands.js';

/**
 * Every failure the SDK reports: an ERROR frame of the gate (code = its name, codeNumber = its number), an
 * HTTP error of the account API or LSB (code = the JSON body's code, codeNumber = the HTTP status), or a
 * client-side condition (code such as `TIMEOUT`, `CONNECTION_LOST`, `CLOSED`; codeNumber 0).
 * `retryable` says whether the same request may succeed later.
 */
export class MagpieError extends Error {
  readonly code: string;
  readonly codeNumber: number;
  readonly retryable: boolean;
  /** > 0: do not resend before this many milliseconds (the gate's retry_after_ms, HTTP Retry-After). */
  readonly retryAfterMs: number;

  constructor(code: string, codeNumber: number, message: string, retryable: boolean, retryAfterMs = 0) {
    super(message);
    this.name = 'MagpieError';
    this.code = code;
    this.codeNumber = codeNumber;
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }

  /** From an ERROR frame's fields. */
  static fromFrame(code: number, message: string, retryable: boolean, retryAfterMs: number): MagpieError {
    return new MagpieError(errorName(code), code, message, retryable, retryAfterMs);
  }

  static timeout(message: string): MagpieError {
    return new MagpieError('TIMEOUT', 0, message, true);
  }

  static connectionLost(message: string): MagpieError {
    return new MagpieError('CONNECTION_LOST', 0, message, true);
  }

  static closed(message: string): MagpieError {
    return new MagpieError('CLOSED', 0, message, false);
  }
}
