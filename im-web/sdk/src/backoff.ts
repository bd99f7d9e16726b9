/**
 * Exponential backoff with full jitter (like the Java SDK's ReconnectBackoff): the delay before attempt `n`
 * (0-based) is uniform in `[0, min(max, initial * 2^n)]`, so clients that lost the same gate at the same instant
 * spread over the whole interval instead of retrying in waves.
 */
export class Backoff {
  constructor(readonly initialMs: number, readonly maxMs: number,
              private readonly random: () => number = Math.random) {
    if (!(initialMs > 0) || !(maxMs >= initialMs)) {
      throw new RangeError(`backoff needs 0 < initialMs <= maxMs, got initialMs ${initialMs}, maxMs ${maxMs}`);
    }
  }

  /** Upper bound of the delay of attempt `n`: `min(max, initial * 2^n)`. */
  boundMs(attempt: number): number {
    if (attempt < 0) throw new RangeError(`attempt must be >= 0, got ${attempt}`);
    return Math.min(this.maxMs, this.initialMs * 2 ** Math.min(attempt, 60));
  }

  /** A delay drawn uniformly from `[0, boundMs(attempt)]`, in whole milliseconds. */
  delayMs(attempt: number): number {
    const bound = this.boundMs(attempt);
    const r = Math.max(0, Math.min(1, this.random()));
    return Math.min(bound, Math.floor(r * (bound + 1)));
  }
}
