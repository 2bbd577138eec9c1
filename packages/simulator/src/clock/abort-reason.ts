/** The error an aborted sleep rejects with. */

/** `signal.reason`, or a DOMException `AbortError` when the signal was aborted without one. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
