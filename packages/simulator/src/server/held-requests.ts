/** Requests held by a `hang` or `slow` fault, parked on a virtual clock so time can move past them. */
import type { ServerResponse } from 'node:http';
import type { Clock } from '@racesync/zwift-client';
import { isVirtualClock } from '../clock/virtual-clock.ts';

interface Held {
  res: ServerResponse;
  /** The request's virtual-clock activity token, if it carried one. */
  token: string | undefined;
  abort: AbortController;
}

/** The requests being held, until their time passes, their client leaves or the server closes. */
export class HeldRequests {
  private readonly held = new Set<Held>();
  private closed = false;

  constructor(private readonly clock: Clock) {}

  /**
   * Hold a request for `ms` of clock time without counting it as activity on a virtual clock.
   * Resolves true when the time elapsed, false when the client went away or the server closed.
   */
  hold(res: ServerResponse, token: string | undefined, ms: number): Promise<boolean> {
    const clock = this.clock;
    const virtual = isVirtualClock(clock) ? clock : null;
    const entry: Held = { res, token, abort: new AbortController() };
    this.held.add(entry);
    if (token && virtual) virtual.park(token);
    return new Promise<boolean>((resolve) => {
      const onClose = (): void => entry.abort.abort();
      res.on('close', onClose);
      clock.sleep(ms, entry.abort.signal).then(
        () => {
          res.off('close', onClose);
          this.held.delete(entry);
          // Count it as activity again before answering, so the clock waits for the client.
          if (token && virtual) virtual.unpark(token);
          resolve(!this.closed);
        },
        () => {
          res.off('close', onClose);
          this.held.delete(entry);
          resolve(false);
        },
      );
    });
  }

  /** The server closes: end every hold and drop its connection. */
  releaseAll(): void {
    this.closed = true;
    const clock = this.clock;
    for (const h of this.held) {
      if (h.token && isVirtualClock(clock)) clock.unpark(h.token);
      h.abort.abort();
      h.res.destroy();
    }
    this.held.clear();
  }
}
