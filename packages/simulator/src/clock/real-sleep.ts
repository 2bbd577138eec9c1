/** Sleeping on real timers (monotonic time), for the system and scaled clocks. */
import { abortReason } from './abort-reason.ts';

/** setTimeout's maximum delay; longer (or infinite) waits are chained. */
const MAX_TIMEOUT = 2_147_483_647;

/**
 * Resolves after `ms` real milliseconds (measured on the monotonic clock); rejects with
 * `signal.reason` when aborted. `Infinity` never resolves (only an abort ends it).
 */
export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const deadline = performance.now() + Math.max(0, ms);
    const arm = (): void => {
      const left = deadline - performance.now();
      if (left <= 0) {
        signal?.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      // Infinity never resolves (only an abort ends it); huge waits are re-armed.
      timer = setTimeout(arm, Math.min(MAX_TIMEOUT, left));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (ms <= 0) timer = setTimeout(arm, 0);
    else arm();
  });
}
