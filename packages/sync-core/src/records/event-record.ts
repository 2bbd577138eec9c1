import { hashData } from '../delta/hash.js';
import type { SourceEvent } from '../source/sync-source.js';
import type { EventRecord, EventSource } from '../storage/records.js';

/** The stored form of a listed event; the hash covers everything the feed says about it. */
export function toEventRecord(event: SourceEvent, at: number, source: EventSource): EventRecord {
  const fields = {
    eventId: String(event.eventId),
    startsAt: event.startsAt,
    routeId: event.routeId === null || event.routeId === undefined ? null : String(event.routeId),
    distanceMeters: event.distanceMeters ?? null,
    laps: event.laps ?? null,
    title: event.title,
    type: event.type ?? null,
    subType: event.subType ?? null,
    categories: [...event.categories],
    signupCounts: { ...event.signupCounts },
    source,
  };
  return { ...fields, hash: hashData(fields), fetchedAt: at, changedAt: at, removedAt: null };
}

/**
 * A cheap identity of everything the hash covers (no key sorting, no digest): when it equals the
 * previous record's, the previous hash is reused. Event lists are fetched often and mostly unchanged.
 */
export function eventFingerprint(event: SourceEvent): string {
  const cached = fingerprints.get(event);
  if (cached !== undefined) return cached;
  let counts = '';
  for (const pen in event.signupCounts) counts += `${pen}=${event.signupCounts[pen]};`;
  const fingerprint = `${event.startsAt}|${event.routeId}|${event.distanceMeters}|${event.laps}|${event.type}|${event.subType}|${event.categories.join(',')}|${counts}|${event.title}`;
  fingerprints.set(event, fingerprint);
  return fingerprint;
}

const fingerprints = new WeakMap<object, string>();

/** Lets a copy of an unchanged record reuse the original's fingerprint. */
export function carryFingerprint(from: object, to: object): void {
  const fingerprint = fingerprints.get(from);
  if (fingerprint !== undefined) fingerprints.set(to, fingerprint);
}
