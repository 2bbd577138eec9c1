import type { RawZwiftEvent, RawZwiftSubgroup } from '../schemas/zwift-events.ts';
import type { ZwiftEvent, ZwiftSubgroup } from '../types.ts';
import { decodeHtmlEntities } from './html-entities.ts';
import { parseZwiftTime, requireNumber, shown, toId, toNumber } from './values.ts';

function subgroup(raw: RawZwiftSubgroup): ZwiftSubgroup {
  return {
    subgroupId: requireNumber(raw.id, 'id'),
    label: raw.subgroupLabel ?? null,
    startsAt: parseZwiftTime(raw.eventSubgroupStart),
    routeId: raw.routeId === null || raw.routeId === undefined ? null : toId(raw.routeId),
    laps: toNumber(raw.laps),
    distanceMeters: toNumber(raw.distanceInMeters),
    durationSeconds: toNumber(raw.durationInSeconds),
    entrantCount: toNumber(raw.totalEntrantCount),
    signedUpCount: toNumber(raw.totalSignedUpCount),
  };
}

/** Zwift event → {@link ZwiftEvent}. Throws `TypeError('eventStart')` when the start is unreadable. */
export function normaliseZwiftEvent(raw: RawZwiftEvent): ZwiftEvent {
  const startsAt = parseZwiftTime(raw.eventStart);
  if (startsAt === null)
    throw new TypeError(`eventStart: expected an ISO date-time (got ${shown(raw.eventStart)})`);
  const subgroups = (raw.eventSubgroups ?? []).map(subgroup);
  const categories: string[] = [];
  const signupCounts: Record<string, number> = {};
  for (const sg of subgroups) {
    if (sg.label === null) continue;
    if (!categories.includes(sg.label)) categories.push(sg.label);
    if (sg.entrantCount !== null) signupCounts[sg.label] = (signupCounts[sg.label] ?? 0) + sg.entrantCount;
  }
  return {
    eventId: toId(raw.id),
    startsAt,
    title: decodeHtmlEntities(raw.name ?? ''),
    routeId: raw.routeId === null || raw.routeId === undefined ? null : toId(raw.routeId),
    distanceMeters: toNumber(raw.distanceInMeters),
    durationSeconds: toNumber(raw.durationInSeconds),
    laps: toNumber(raw.laps),
    type: raw.eventType ?? raw.type ?? null,
    sport: raw.sport ?? null,
    worldId: toNumber(raw.worldId),
    mapId: toNumber(raw.mapId),
    categories,
    signupCounts,
    subgroups,
  };
}
