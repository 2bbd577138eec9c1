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
