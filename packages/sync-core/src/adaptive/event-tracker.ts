import { LRUCache } from 'lru-cache';
import type { EventRecord, SignupCheck } from '../storage/records.js';
import type { StorageAdapter } from '../storage/storage-adapter.js';

/**
 * The events job's working set: the listed events (from the last list, or storage after a restart)
 * and a bounded LRU cache of signup checks in front of the persisted ones.
 */
export class EventTracker {
  events = new Map<string, EventRecord>();
  readonly #checks: LRUCache<string, SignupCheck>;
  readonly #failedUntil = new Map<string, number>();

  constructor(cacheSize: number) {
    this.#checks = new LRUCache({ max: cacheSize });
  }

  /** Loads events starting after `since` and their checks from storage (start-up, or shared storage). */
  async load(storage: StorageAdapter, since: number): Promise<void> {
    const events = await storage.listEvents({ startsFrom: since });
    this.events = new Map(events.map((e) => [e.eventId, e]));
    this.#checks.clear();
    const checks = await storage.getSignupChecks(events.map((e) => e.eventId));
    for (const check of checks) this.#checks.set(check.eventId, check);
  }

  /** Replaces the listed events after a list fetch; events that started recently are kept until `keepSince`. */
  replaceListed(listed: readonly EventRecord[], removed: readonly string[], keepSince: number): void {
    const next = new Map<string, EventRecord>();
    for (const event of this.events.values()) {
      if (event.startsAt <= keepSince) continue;
      next.set(event.eventId, event);
    }
    for (const event of listed) next.set(event.eventId, event);
    for (const id of removed) {
      const event = next.get(id);
      if (event) next.set(id, { ...event, removedAt: event.removedAt ?? 0 });
    }
    this.events = next;
  }

  check(eventId: string): SignupCheck | undefined {
    return this.#checks.get(eventId);
  }

  setCheck(check: SignupCheck): void {
    this.#checks.set(check.eventId, check);
    this.#failedUntil.delete(check.eventId);
  }

  markFailed(eventId: string, retryAt: number): void {
    this.#failedUntil.set(eventId, retryAt);
  }

  retryAfter(eventId: string): number | undefined {
    return this.#failedUntil.get(eventId);
  }

  /** Drops events that started before `before` (they no longer need signup checks). */
  prune(before: number): void {
    for (const [id, event] of this.events) {
      if (event.startsAt < before) {
        this.events.delete(id);
        this.#failedUntil.delete(id);
      }
    }
  }
}
