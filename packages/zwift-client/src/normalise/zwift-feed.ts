import type { RawZwiftFeedEvent, RawZwiftFeedSubgroup, RawZwiftProfile } from '../schemas/zwift-feed.ts';
import type { ZwiftEntrant, ZwiftFeedEvent, ZwiftFeedSubgroup } from '../types.ts';
import { decodeHtmlEntities } from './html-entities.ts';
import { parseZwiftTime, requireNumber, shown, toCount, toId } from './values.ts';

/** Event-search pen → {@link ZwiftFeedSubgroup}. A missing followee count stays `null` (no signal). */
export function normaliseZwiftFeedSubgroup(raw: RawZwiftFeedSubgroup): ZwiftFeedSubgroup {
  return {
    subgroupId: toId(raw.id),
    label: raw.subgroupLabel ?? null,
    startsAt: parseZwiftTime(raw.eventSubgroupStart),
    followeeEntrantCount: toCount(raw.followeeEntrantCount, 'followeeEntrantCount'),
    totalEntrantCount: toCount(raw.totalEntrantCount, 'totalEntrantCount'),
  };
}

/**
 * Event-search event → {@link ZwiftFeedEvent}, with its pens already normalised (they are
 * validated one by one by the caller). Throws `TypeError` when the start or a count is unusable.
 */
export function normaliseZwiftFeedEvent(
  raw: RawZwiftFeedEvent,
  subgroups: ZwiftFeedSubgroup[],
): ZwiftFeedEvent {
  const startsAt = parseZwiftTime(raw.eventStart);
  if (startsAt === null)
    throw new TypeError(`eventStart: expected an ISO date-time (got ${shown(raw.eventStart)})`);
  return {
    eventId: toId(raw.id),
    title: decodeHtmlEntities(raw.name ?? ''),
    startsAt,
    type: raw.eventType ?? raw.type ?? null,
    followeeEntrantCount: toCount(raw.followeeEntrantCount, 'followeeEntrantCount'),
    totalEntrantCount: toCount(raw.totalEntrantCount, 'totalEntrantCount'),
    subgroups,
  };
}

/** Entrant profile → {@link ZwiftEntrant}: name = first + ' ' + last name, trimmed. */
export function normaliseZwiftEntrant(raw: RawZwiftProfile): ZwiftEntrant {
  return {
    riderId: requireNumber(raw.id, 'id'),
    name: `${raw.firstName ?? ''} ${raw.lastName ?? ''}`.trim(),
  };
}
