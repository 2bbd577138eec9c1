/**
 * Ctrl-C handling: the first SIGINT/SIGTERM asks for a graceful stop (the engine aborts waits and
 * in-flight calls, the storage batch in progress finishes, the summary is printed, exit 0); a second
 * one exits at once (130).
 *
 * A repeat within `repeatWindowMs` (750 ms) of the first is the same Ctrl-C delivered twice, not a
 * second press: in a terminal SIGINT goes to the whole process group, and wrappers such as tsx
 * relay it to their child as well.
 */
import type { Output } from './output.ts';

export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface Shutdown {
  /** Aborted on the first signal. */
  readonly signal: AbortSignal;
  /** Resolves on the first signal. */
  readonly requested: Promise<void>;
  /** Stop listening (call at the end of the run). */
  dispose(): void;
}

export function handleShutdown(
  out: Output,
  signals: SignalSource = process,
  exit: (code: number) => void = (code) => process.exit(code),
  repeatWindowMs = 750,
): Shutdown {
  let firstAt = 0;
  const controller = new AbortController();
  let resolveRequested: () => void = () => {};
  const requested = new Promise<void>((resolve) => {
    resolveRequested = resolve;
  });
  const onSignal = () => {
    if (!controller.signal.aborted) {
      firstAt = performance.now();
      out.status('');
      out.line('stopping: finishing the storage batch in progress… (press Ctrl-C again to quit at once)');
      controller.abort(new DOMException('stopped by the user', 'AbortError'));
      resolveRequested();
    } else if (performance.now() - firstAt >= repeatWindowMs) {
      out.error('quitting at once');
      exit(130);
    }
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    requested,
    dispose() {
      signals.off('SIGINT', onSignal);
      signals.off('SIGTERM', onSignal);
    },
  };
}
