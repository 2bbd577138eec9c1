import {
  createSimulation,
  type Simulation,
  type TeamSignupChange,
  type VirtualClock,
} from '@racesync/simulator';
import { describe, expect, it } from 'vitest';
import { createMemoryStorage, createSyncEngine, type StorageAdapter } from '../../src/index.js';
import { HOUR, MIN, simulatorClient } from '../engine/harness.js';

const STEP = 150_000;
const grid = (ms: number) => Math.ceil(ms / STEP) * STEP;

/** The scenario, in ms after the start: rider `rejoin` leaves the club at `leave` and comes back at `join`; rider `joins` joins at `join`. */
interface Scenario {
  leave: number;
  join: number;
  span: number;
  /** Followed team rider seen in a followed pen before `leave`, who signs up to `rejoinEvent` while out of the club. */
  rejoin: number;
  rejoinEvent: string;
  /** Team rider outside the club until `join`, signed up to `joinsEvent` by then. */
  joins: number;
  joinsEvent: string;
}

/** Picks the riders and times from the simulator's truth (the test fails loudly if the seed has none). */
function choose(sim: Simulation, start: number): Scenario {
  const changes = sim.truthAt(start).teamSignupChanges.filter((c) => c.at > start);
  const keeps = (c: TeamSignupChange) =>
    sim
      .truthAt(c.eventStart - 1)
      .teamSignups(c.eventId)
      .some((s) => s.riderId === c.riderId);
  // Riders signed up, at the start, to races after `leave`: the feed sees them in a followed pen
  // before `leave` (the test checks), and they have signups to withdraw when they leave.
  const leave = HOUR;
  const signedUp = new Set(
    sim
      .truthAt(start)
      .teamSignups()
      .filter((s) => (sim.truthAt(start).event(s.eventId)?.startsAt ?? 0) > start + leave + 10 * MIN)
      .map((s) => s.riderId),
  );
  for (const out of changes) {
    if (
      out.kind !== 'signup' ||
      !signedUp.has(out.riderId) ||
      out.at < start + leave + 10 * MIN ||
      out.eventStart < out.at + 90 * MIN ||
      out.eventStart > out.at + 5 * HOUR ||
      !keeps(out)
    )
      continue;
    const join = grid(out.at + 10 * MIN - start);
    const joins = changes.find(
      (c) =>
        c.kind === 'signup' &&
        c.riderId !== out.riderId &&
        c.at < start + join - 40 * MIN &&
        c.eventStart > start + join + 60 * MIN &&
        c.eventStart < start + join + 5 * HOUR &&
        keeps(c),
    );
    if (!joins) continue;
    return {
      leave,
      join,
      span: grid(Math.max(out.eventStart, joins.eventStart) + 10 * MIN - start),
      rejoin: out.riderId,
      rejoinEvent: out.eventId,
      joins: joins.riderId,
      joinsEvent: joins.eventId,
    };
  }
  throw new Error('seed has no riders for the scenario');
}

/** Active stored pen of a rider in an event, or null. */
async function storedPen(storage: StorageAdapter, eventId: string, riderId: number): Promise<string | null> {
  const rows = await storage.listSignups({ eventIds: [eventId], riderIds: [riderId], activeOnly: true });
  return rows[0]?.pen ?? null;
}

describe('the follower feed when the team changes', () => {
  it('applies the signups a rider made before joining (or while out of the club) from the followed entrants it already holds, and drops a leaver’s', async () => {
    const sim = createSimulation({ seed: 1, teamSize: 120, days: 1, follow: { unfollowedShare: 0 } });
    try {
      const urls = await sim.listen();
      const clock = sim.clock as VirtualClock;
      const start = clock.now();
      const chosen = choose(sim, start);
      const { leave: LEAVE, join: JOIN, span: SPAN } = chosen;
      // The club as the engine sees it: the simulator's members, without `joins` until JOIN and
      // without `rejoin` between LEAVE and JOIN.
      const outOfClub = (riderId: number) => {
        const t = clock.now() - start;
        if (riderId === chosen.joins) return t < JOIN;
        if (riderId === chosen.rejoin) return t >= LEAVE && t < JOIN;
        return false;
      };
      const client = simulatorClient(sim, urls, { zwiftAccount: true });
      const clubs = client.clubs;
      if (!clubs) throw new Error('the simulator client has clubs');
      const storage = createMemoryStorage();
      const engine = createSyncEngine({
        source: {
          ...client,
          clubs: {
            ...clubs,
            members: async (clubId, options) => {
              const answer = await clubs.members(clubId, options);
              return { ...answer, riders: answer.riders.filter((r) => !outOfClub(r.riderId)) };
            },
            membersPage: async (clubId, after, options) => {
              const page = await clubs.membersPage(clubId, after, options);
              return { ...page, riders: page.riders.filter((r) => !outOfClub(r.riderId)) };
            },
          },
        },
        storage,
        team: { clubId: urls.clubId },
        clock,
        followerFeed: true,
      });

      const rejoinActiveAtLeave: string[] = [];
      let joinsStoredEarly = false;
      for (let t = 0; t <= SPAN; t += STEP) {
        await clock.runUntil(start + t);
        if (t === 0 || t === LEAVE || t === JOIN) await clock.run(engine.runOnce('team'));
        if (t % (5 * MIN) === 0) await clock.run(engine.runOnce('events'));
        await clock.run(engine.runOnce('follow'));
        if (t === LEAVE - STEP) {
          // The premise: the feed has seen the rider in a followed pen (it counts as followed).
          const follow = (await storage.getJobStates()).find((state) => state.job === 'follow');
          expect((follow?.cursor as { followed?: number[] } | null)?.followed).toContain(chosen.rejoin);
          for (const row of await storage.listSignups({ riderIds: [chosen.rejoin], activeOnly: true }))
            if (row.eventId !== chosen.rejoinEvent) rejoinActiveAtLeave.push(row.eventId);
        }
        if (t < JOIN && (await storedPen(storage, chosen.joinsEvent, chosen.joins)) !== null)
          joinsStoredEarly = true;
        if (t === LEAVE + 5 * MIN) {
          // The leaver's upcoming signups are withdrawn, as a site list would: not the team's now.
          for (const eventId of rejoinActiveAtLeave) {
            const event = sim.truthAt(start + t).event(eventId);
            if (event && event.startsAt > start + t)
              expect(await storedPen(storage, eventId, chosen.rejoin), `leaver in ${eventId}`).toBeNull();
          }
        }
        if (t === JOIN + 5 * MIN) {
          const truth = sim.truthAt(start + t);
          const pen = (eventId: string, riderId: number) =>
            truth.teamSignups(eventId).find((s) => s.riderId === riderId)?.pen ?? 'none';
          expect(await storedPen(storage, chosen.rejoinEvent, chosen.rejoin), 'rejoined rider').toBe(
            pen(chosen.rejoinEvent, chosen.rejoin),
          );
          expect(await storedPen(storage, chosen.joinsEvent, chosen.joins), 'new member').toBe(
            pen(chosen.joinsEvent, chosen.joins),
          );
        }
      }
      expect(joinsStoredEarly, 'the new member was stored before joining').toBe(false);
      expect(rejoinActiveAtLeave.length).toBeGreaterThan(0);

      // From JOIN on, storage equals the truth at every start (both riders are members again).
      const truth = sim.truthAt(start + SPAN);
      for (const race of truth.eventsBetween(start + JOIN + 10 * MIN, start + SPAN)) {
        const atStart = sim
          .truthAt(race.startsAt - 1)
          .teamSignups(race.eventId)
          .map((s) => `${s.riderId}/${s.pen}`)
          .sort();
        const stored = (await storage.listSignups({ eventIds: [race.eventId], activeOnly: true }))
          .map((s) => `${s.riderId}/${s.pen}`)
          .sort();
        expect(stored, `team signups of ${race.eventId}`).toEqual(atStart);
      }
      expect(sim.stats().violations.total).toBe(0);
    } finally {
      await sim.close();
    }
  }, 120_000);
});
