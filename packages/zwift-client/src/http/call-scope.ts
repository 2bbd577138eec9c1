/** The signal a call uses for every wait inside the client, and how to let go of it. */
export interface CallScope {
  /** Internal signal of the call: aborted with the caller's `signal.reason`. `undefined` without a caller's signal. */
  readonly signal: AbortSignal | undefined;
  /** Detaches the call from the caller's signal. Call once, when the call settles (idempotent). */
  close(): void;
}

const UNSCOPED: CallScope = Object.freeze({ signal: undefined, close: () => {} });

/** The calls of one client that share one caller's signal, behind ONE listener on that signal. */
class Link {
  readonly children = new Set<AbortController>();
  readonly #parent: AbortSignal;
  readonly #drop: () => void;

  constructor(parent: AbortSignal, drop: () => void) {
    this.#parent = parent;
    this.#drop = drop;
    parent.addEventListener('abort', this.#onAbort, { once: true });
  }

  readonly #onAbort = (): void => {
    this.#drop();
    const reason = this.#parent.reason;
    // Not a copy: a child closed by an earlier child's abort handler is skipped.
    for (const child of this.children) child.abort(reason);
    this.children.clear();
  };

  remove(child: AbortController): void {
    if (!this.children.delete(child) || this.children.size > 0) return;
    this.#parent.removeEventListener('abort', this.#onAbort);
    this.#drop();
  }
}

/**
 * Derives one internal `AbortController` per call from the caller's `AbortSignal`, so the inner
 * waits of a call (bucket line, token wait, concurrency queue, back-off, the request itself) listen
 * to the call's own signal, never to the caller's. All the calls of one client in flight with the
 * same caller's signal share a single listener on it, removed when the last of them settles: a
 * long-lived signal shared by any number of concurrent calls holds at most one listener per client,
 * and none once they settle. (Not `AbortSignal.any`: on Node it leaves an entry on the long-lived
 * signal for every call.)
 */
export class CallScopes {
  readonly #links = new Map<AbortSignal, Link>();

  /** Opens the scope of one call. Throws `signal.reason` when `signal` is already aborted. */
  open(signal: AbortSignal | undefined): CallScope {
    if (signal === undefined) return UNSCOPED;
    signal.throwIfAborted();
    let link = this.#links.get(signal);
    if (link === undefined) {
      const links = this.#links;
      const created: Link = new Link(signal, () => {
        if (links.get(signal) === created) links.delete(signal);
      });
      links.set(signal, created);
      link = created;
    }
    const controller = new AbortController();
    link.children.add(controller);
    const owner = link;
    return { signal: controller.signal, close: () => owner.remove(controller) };
  }

  /** Caller's signals currently listened to (for tests). */
  get size(): number {
    return this.#links.size;
  }
}
