/** The virtual clock's pending timers: a binary min-heap by due time, then creation order. */

/** One pending sleep of the virtual clock. */
export interface Timer {
  /** Due time (clock ms). */
  at: number;
  /** Creation order: timers due at the same time fire in the order they were set. */
  seq: number;
  resolve: () => void;
  cancelled: boolean;
}

/** Binary min-heap of timers by (at, seq). */
export class TimerHeap {
  private items: Timer[] = [];
  /** Timers pushed and neither popped nor cancelled. */
  live = 0;

  push(t: Timer): void {
    const a = this.items;
    a.push(t);
    this.live++;
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i] as Timer, a[p] as Timer)) break;
      swap(a, i, p);
      i = p;
    }
  }

  peek(): Timer | undefined {
    this.dropCancelled();
    return this.items[0];
  }

  pop(): Timer | undefined {
    this.dropCancelled();
    const t = this.popRaw();
    if (t) this.live--;
    return t;
  }

  /**
   * Marks `t` cancelled (it is dropped lazily when it reaches the top) and releases its callback at
   * once, so an aborted sleep does not keep its promise, signal and abort reason alive until its
   * due time. When cancelled timers outnumber live ones, the heap is rebuilt without them: a loop
   * that keeps aborting long sleeps (an engine woken early, a held request) stays bounded.
   */
  cancel(t: Timer): void {
    if (t.cancelled) return;
    t.cancelled = true;
    t.resolve = noop;
    this.live--;
    if (this.items.length > 64 && this.items.length - this.live > this.live) this.compact();
  }

  private compact(): void {
    const a = this.items.filter((t) => !t.cancelled);
    for (let i = (a.length >> 1) - 1; i >= 0; i--) siftDown(a, i);
    this.items = a;
  }

  private dropCancelled(): void {
    while (this.items.length > 0 && (this.items[0] as Timer).cancelled) this.popRaw();
  }

  private popRaw(): Timer | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0] as Timer;
    const last = a.pop() as Timer;
    if (a.length > 0) {
      a[0] = last;
      siftDown(a, 0);
    }
    return top;
  }
}

function noop(): void {}

function siftDown(a: Timer[], from: number): void {
  let i = from;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < a.length && less(a[l] as Timer, a[m] as Timer)) m = l;
    if (r < a.length && less(a[r] as Timer, a[m] as Timer)) m = r;
    if (m === i) break;
    swap(a, i, m);
    i = m;
  }
}

function less(x: Timer, y: Timer): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}

function swap(a: Timer[], i: number, j: number): void {
  const t = a[i] as Timer;
  a[i] = a[j] as Timer;
  a[j] = t;
}
