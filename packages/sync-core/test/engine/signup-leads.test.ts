import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/index.js';
import { LEAD_BIN_MS, SignupLeadAffinity, type SignupLeadSnapshot } from '../../src/internal.js';
import { createWorld, HOUR, MIN, putEventsCursor, storedSignups, type World } from './harness.js';

const DAY = 24 * HOUR;
const WINDOW = 6 * HOUR;

describe('the events job learns how long before a start the team signs up', () => {
  const worlds: World[] = [];
  afterAll(async () => {
    for (const w of worlds) await w.close();
  });

  it('counts the hours races were watched at each lead, and the races the sweeps found', async () => {
    const w = await createWorld({ seed: 1, teamSize: 80 });
    worlds.push(w);
    w.engine.start();
    await w.clock.runUntil(w.start + 12 * HOUR);
    const state = (await w.storage.getJobStates()).find((s) => s.job === 'events');
    const leads = (state?.cursor as { leads?: SignupLeadSnapshot } | undefined)?.leads;
    expect(leads, 'leads in the events cursor').toBeDefined();
    const sum = (a: number[]) => a.reduce((n, x) => n + x, 0);
    expect(leads!.watched).toHaveLength(WINDOW / LEAD_BIN_MS);
    // Every lead was watched: ~5 races an hour pass through each 1-h bin.
    for (const [i, hours] of leads!.watched.entries()) expect(hours, `bin ${i}`).toBeGreaterThan(5);
    // Races whose first team signup came within 6 h of their start, once the engine had fetched
    // them (an hour after it started) and before it stopped: what the near sweep can find.
    const truth = w.sim.truthAt(w.clock.now());
    const first = new Map<string, { at: number; start: number }>();
    for (const c of truth.teamSignupChanges) {
      if (c.kind === 'signup' && !first.has(c.eventId))
        first.set(c.eventId, { at: c.at, start: c.eventStart });
    }
    const findable = [...first.values()].filter(
      (f) => f.start - f.at <= WINDOW && f.at > w.start + HOUR && f.at < w.clock.now() - 10 * MIN,
    ).length;
    expect(findable).toBeGreaterThan(5);
    // A find is spread over the leads since the race's last fetch; a part may fall beyond the window.
    expect(sum(leads!.found)).toBeGreaterThan(0.6 * findable);
    expect(sum(leads!.found)).toBeLessThanOrEqual(findable + 1);
  });

  /**
   * Six hours of a world whose events job remembers four weeks of a team that signed up only in
   * the last hour before a start; the world's own team signs up at any lead (the safety net's test).
   */
  async function afterLastHourTeam(learnSignupLeads: boolean) {
    const storage = createMemoryStorage();
    const w = await createWorld({
      seed: 3,
      teamSize: 80,
      storage,
      engine: { policy: { signups: { learnSignupLeads } } },
    });
    worlds.push(w);
    const history = new SignupLeadAffinity({ halfLifeMs: 14 * DAY, windowMs: WINDOW });
    // Five races an hour watched over their last 6 h; one in six found in its last hour.
    const begin = w.start - 28 * DAY;
    for (let t = begin; t < w.start; t += HOUR) {
      for (let i = 0; i < 5; i++) {
        const startsAt = t + WINDOW + i * 12 * MIN;
        history.observeWatched(startsAt, startsAt - WINDOW, startsAt, t);
        if (i === 0 && (t - begin) % (2 * HOUR) === 0)
          history.observeFound(startsAt, startsAt - 30 * MIN, startsAt - 24 * MIN, t);
      }
    }
    await putEventsCursor(storage, w.start, { leads: history.snapshot() });
    w.engine.start();
    await w.clock.runUntil(w.start + 6 * HOUR);
    const end = w.clock.now();
    const truth = w.sim.truthAt(end);
    const races = truth.teamRaces.filter((r) => r.startsAt > w.start + 10 * MIN && r.startsAt < end);
    const atStart = await storedSignups(
      storage,
      races.map((r) => r.eventId),
    );
    const learned = new SignupLeadAffinity({ halfLifeMs: 14 * DAY, windowMs: WINDOW }, history.snapshot());
    return {
      signupCalls: w.sim.stats().requests.byEndpoint['site-signups'] ?? 0,
      atStart,
      truth: Object.fromEntries(races.map((r) => [r.eventId, r.riders.map((x) => x.riderId)])),
      shares: [learned.share(0, 50 * MIN, w.start), learned.share(2 * HOUR, 6 * HOUR - 1, w.start)],
    };
  }

  it('sweeps races 1–6 h out less often for a team that signs up in the last hour, and still stores every team signup by the start', async () => {
    const [learning, off] = [await afterLastHourTeam(true), await afterLastHourTeam(false)];
    expect(learning.shares[0]).toBe(1);
    expect(learning.shares[1]).toBeLessThan(0.25);
    // Measured: 923 signup lists instead of 1,424 (calls are deterministic on the virtual clock).
    expect(learning.signupCalls).toBeLessThan(0.85 * off.signupCalls);
    expect(Object.keys(learning.truth).length).toBeGreaterThan(3);
    // The final sweep still catches what the stretched near sweeps came late for.
    expect(learning.atStart).toEqual(learning.truth);
    expect(off.atStart).toEqual(off.truth);
  });
});
