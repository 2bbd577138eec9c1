import type { ChangeEvent, ChangeEventType } from './change-event.js';

/** Listener for one event type, or for all with `'*'`. */
export type ChangeListener<T extends ChangeEventType | '*'> = (
  event: T extends '*' ? ChangeEvent : Extract<ChangeEvent, { type: T }>,
) => void | Promise<void>;

/**
 * Synchronous fan-out of change events. A throwing or rejecting listener is reported through
 * `onListenerError` and never disturbs the engine or other listeners.
 */
export class EventBus {
  readonly #listeners = new Map<string, Set<(event: ChangeEvent) => void | Promise<void>>>();
  readonly #onListenerError: (error: unknown, event: ChangeEvent) => void;

  constructor(onListenerError: (error: unknown, event: ChangeEvent) => void) {
    this.#onListenerError = onListenerError;
  }

  on<T extends ChangeEventType | '*'>(type: T, listener: ChangeListener<T>): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    const fn = listener as (event: ChangeEvent) => void | Promise<void>;
    set.add(fn);
    return () => set.delete(fn);
  }

  emit(event: ChangeEvent): void {
    for (const key of [event.type, '*']) {
      for (const listener of this.#listeners.get(key) ?? []) {
        try {
          const result = listener(event);
          if (result && typeof (result as Promise<void>).catch === 'function') {
            (result as Promise<void>).catch((error: unknown) => this.#onListenerError(error, event));
          }
        } catch (error) {
          this.#onListenerError(error, event);
        }
      }
    }
  }
}
