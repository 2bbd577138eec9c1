/**
 * Per-bucket waiting line of one client. Only the head of the line polls the store for a token,
 * so waiters of a saturated bucket neither hammer the store nor occupy concurrency slots, and a
 * bucket's tokens go out by priority (higher first), then in arrival order.
 */
export interface Ticket {
  readonly priority: number;
  readonly seq: number;
  /** Resolves when this ticket is at the head of the line. */
  readonly ready: Promise<void>;
}

interface InternalTicket extends Ticket {
  resolve: () => void;
  active: boolean;
}

const RESOLVED: Promise<void> = Promise.resolve();
const noop = (): void => {};

export class Gate {
  #line: InternalTicket[] = [];
  #seq = 0;

  /** Number of tickets in the line (the head included). */
  get size(): number {
    return this.#line.length;
  }

  /** Queue up; the returned ticket's `ready` resolves when it is the head. */
  enter(priority: number): Ticket {
    const line = this.#line;
    if (line.length === 0) {
      // Nobody waits: this ticket is the head at once (no promise to create and resolve).
      const head: InternalTicket = {
        priority,
        seq: this.#seq++,
        ready: RESOLVED,
        resolve: noop,
        active: true,
      };
      line.push(head);
      return head;
    }
    let resolve!: () => void;
    const ready = new Promise<void>((r) => {
      resolve = r;
    });
    const ticket: InternalTicket = { priority, seq: this.#seq++, ready, resolve, active: false };
    // The active head keeps its place; everyone else is ordered by priority desc, then FIFO.
    let index = line.length;
    while (index > 0) {
      const prev = line[index - 1]!;
      if (prev.active || prev.priority >= priority) break;
      index--;
    }
    line.splice(index, 0, ticket);
    this.#promote();
    return ticket;
  }

  /** How many tickets stand before `ticket`. */
  ahead(ticket: Ticket): number {
    const index = this.#line.indexOf(ticket as InternalTicket);
    return Math.max(index, 0);
  }

  /** Leave the line (idempotent); the next ticket becomes the head. */
  leave(ticket: Ticket): void {
    const line = this.#line;
    const index = line[0] === ticket ? 0 : line.indexOf(ticket as InternalTicket);
    if (index < 0) return;
    if (index === 0) line.shift();
    else line.splice(index, 1);
    if (index === 0) this.#promote();
  }

  #promote(): void {
    const head = this.#line[0];
    if (head !== undefined && !head.active) {
      head.active = true;
      head.resolve();
    }
  }
}
