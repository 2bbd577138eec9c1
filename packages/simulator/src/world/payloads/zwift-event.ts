/** One event of Zwift's public events API: the event object and its subgroups (pens). */
import type { GroupRide, SimEvent } from '../events.ts';
import { PEN_LABEL_NUMBER } from './pen-labels.ts';

/** Zwift timestamps look like `2025-06-01T22:30:00.000+0000`. */
export function zwiftTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/**
 * The subgroup (pen `p`) of a race, with `count` entrants, `followees` of them followed by the
 * caller's account (0 on the public feed, which has no account).
 */
export function zwiftSubgroup(
  ev: SimEvent,
  p: number,
  count: number,
  followees = 0,
): Record<string, unknown> {
  const label = ev.pens[p] as string;
  return subgroupObject({
    id: ev.subgroupIds[p] as number,
    name: `${ev.title} (${label})`,
    label: PEN_LABEL_NUMBER[label] ?? 6 + p,
    subgroupLabel: label,
    race: true,
    mapId: ev.route.worldId,
    routeId: ev.route.id,
    startLocation: p + 1,
    start: ev.startMs + (ev.staggeredStart ? p * 60_000 : 0),
    laps: ev.laps,
    count,
    followees,
  });
}

/**
 * The one subgroup of a group ride (labelled `D`, like the real sample's), at `t`: entrants grow
 * over the 12 h before the start; `followees` of them followed by the caller's account.
 */
export function rideSubgroup(ride: GroupRide, t: number, followees = 0): Record<string, unknown> {
  const progress = Math.min(1, Math.max(0, 1 - (ride.startMs - t) / (12 * 3_600_000)));
  const full = 10 + (ride.idNum % 110);
  return subgroupObject({
    // Out of the range of race subgroup ids (6,400,000 on).
    id: 7_900_000 + (ride.idNum - 5_900_000),
    name: ride.title,
    label: PEN_LABEL_NUMBER['D'] as number,
    subgroupLabel: 'D',
    race: false,
    mapId: ride.route.worldId,
    routeId: ride.route.id,
    startLocation: 1,
    start: ride.startMs,
    laps: 0,
    count: Math.max(followees, Math.round(full * progress)),
    followees,
  });
}

function subgroupObject(s: {
  id: number;
  name: string;
  label: number;
  subgroupLabel: string;
  race: boolean;
  mapId: number;
  routeId: number;
  startLocation: number;
  start: number;
  laps: number;
  count: number;
  followees: number;
}): Record<string, unknown> {
  const { start, count, followees } = s;
  return {
    id: s.id,
    name: s.name,
    description: '',
    label: s.label,
    subgroupLabel: s.subgroupLabel,
    rulesId: s.race ? 2116 : 260,
    mapId: s.mapId,
    routeId: s.routeId,
    routeUrl: null,
    jerseyHash: null,
    bikeHash: null,
    startLocation: s.startLocation,
    invitedLeaders: [],
    invitedSweepers: [],
    paceType: 1,
    fromPaceValue: 0.0,
    toPaceValue: 0.0,
    fieldLimit: null,
    registrationStart: zwiftTime(start - 30 * 60_000),
    registrationEnd: zwiftTime(start),
    lineUpStart: zwiftTime(start - 5 * 60_000),
    lineUpEnd: zwiftTime(start),
    eventSubgroupStart: zwiftTime(start),
    durationInSeconds: 0,
    laps: s.laps,
    distanceInMeters: 0.0,
    signedUp: false,
    signupStatus: 0,
    registered: false,
    registrationStatus: 0,
    followeeEntrantCount: followees,
    totalEntrantCount: count,
    followeeSignedUpCount: followees,
    totalSignedUpCount: count,
    followeeJoinedCount: 0,
    totalJoinedCount: 0,
    auxiliaryUrl: '',
    rulesSet: s.race ? ['SHOW_RACE_RESULTS', 'NO_TT_BIKES'] : ['NO_TT_BIKES', 'ALLOWS_LATE_JOIN'],
    workoutHash: null,
    customUrl: '',
    overrideMapPreferences: false,
    tags: s.race ? ['ranked'] : ['communityevent'],
    lateJoinInMinutes: s.race ? null : 30,
    timeTrialOptions: null,
    accessValidationResult: null,
    accessRules: [],
    rangeAccessLabel: null,
  };
}

/** An event object: a race (with subgroups) or a group ride. */
export function zwiftEvent(args: {
  id: number;
  name: string;
  worldId: number;
  routeId: number;
  startMs: number;
  laps: number;
  durationS: number;
  race: boolean;
  subgroups: Record<string, unknown>[];
  seriesName: string | null;
  seriesId: number | null;
}): Record<string, unknown> {
  const total = args.subgroups.reduce((a, s) => a + (s['totalEntrantCount'] as number), 0);
  const followees = args.subgroups.reduce((a, s) => a + (s['followeeEntrantCount'] as number), 0);
  const rules = args.race ? ['SHOW_RACE_RESULTS', 'NO_TT_BIKES'] : ['NO_TT_BIKES', 'ALLOWS_LATE_JOIN'];
  return {
    id: args.id,
    worldId: 1,
    name: args.name,
    description: args.race ? 'Race. Results on ZwiftPower and ZwiftRacing.app.' : 'Social group ride.',
    shortName: null,
    shortDescription: null,
    imageUrl: 'https://cdn.zwift.com/static/events_headers/cycling/race.jpg',
    rulesId: args.race ? 2116 : 260,
    mapId: args.worldId,
    routeId: args.routeId,
    routeUrl: null,
    jerseyHash: null,
    bikeHash: null,
    visible: true,
    overrideMapPreferences: false,
    eventStart: zwiftTime(args.startMs),
    durationInSeconds: args.durationS,
    distanceInMeters: 0.0,
    laps: args.laps,
    privateEvent: false,
    invisibleToNonParticipants: true,
    followeeEntrantCount: followees,
    totalEntrantCount: total,
    followeeSignedUpCount: followees,
    totalSignedUpCount: total,
    followeeJoinedCount: 0,
    totalJoinedCount: 0,
    eventSubgroups: args.subgroups,
    eventSeries:
      args.seriesId === null
        ? null
        : { id: args.seriesId, name: args.seriesName, description: null, imported: false },
    auxiliaryUrl: '',
    imageS3Name: null,
    imageS3Bucket: null,
    sport: 'CYCLING',
    cullingType: args.race ? 'CULLING_SUBGROUP_ONLY' : 'CULLING_EVENT_ONLY',
    rulesSet: rules,
    recurring: !args.race,
    recurringOffset: args.race ? null : 7,
    publishRecurring: !args.race,
    parentId: args.id - 7_919,
    type: args.race ? 'EVENT_TYPE_RACE' : 'EVENT_TYPE_GROUP_RIDE',
    workoutHash: null,
    customUrl: '',
    restricted: false,
    unlisted: false,
    eventSecret: null,
    accessExpression: null,
    tags: args.race ? ['ranked'] : ['communityevent'],
    lateJoinInMinutes: args.race ? null : 30,
    timeTrialOptions: null,
    microserviceName: 'clubs',
    microserviceExternalResourceId: externalResourceId(args.id),
    microserviceEventVisibility: 'PUBLIC',
    minGameVersion: null,
    recordable: false,
    imported: false,
    eventTemplateId: null,
    categoryEnforcement: args.race,
    rangeAccessLabel: null,
    eventType: args.race ? 'RACE' : 'GROUP_RIDE',
  };
}

/** A stable uuid-like id (Zwift's clubs microservice resource id). */
function externalResourceId(id: number): string {
  const h = (n: number): string => (Math.imul(id ^ n, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  const a = h(1) + h(2) + h(3) + h(4);
  return `${a.slice(0, 8)}-${a.slice(8, 12)}-4${a.slice(13, 16)}-8${a.slice(17, 20)}-${a.slice(20, 32)}`;
}
