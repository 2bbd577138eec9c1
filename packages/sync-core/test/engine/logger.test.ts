import { createSimulation, type VirtualClock } from '@racesync/simulator';
import { createZwiftClient, type Logger } from '@racesync/zwift-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage, createSyncEngine } from '../../src/index.js';
import { HOUR } from './harness.js';

interface Line {
  level: string;
  fields: unknown;
  message: unknown;
}

/**
 * A pino-shaped recorder: every level is `(fields, message)` and, like pino's methods, reads its
 * state through `this` — so a call that loses the receiver fails as it would with pino.
 */
function pinoRecorder(): Logger & { lines: Line[] } {
  const level = (name: string) =>
    function (this: { lines: Line[] }, fields: Record<string, unknown>, message: string) {
      this.lines.push({ level: name, fields, message });
    };
  return {
    lines: [],
    debug: level('debug'),
    info: level('info'),
    warn: level('warn'),
    error: level('error'),
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('one logger object for the client and the engine', () => {
  it('receives the engine’s fields and the client’s, both as (fields, message)', async () => {
    // 5xx answers now and then, so the client has retries to log too.
    const sim = createSimulation({
      seed: 11,
      teamSize: 12,
      days: 1,
      faults: { rate: 0.05, kinds: { serverError: 1 } },
    });
    const urls = await sim.listen();
    const clock = sim.clock as VirtualClock;
    const logger = pinoRecorder();
    const client = createZwiftClient({
      apiKey: urls.apiKey,
      baseUrl: urls.baseUrl,
      siteBaseUrl: urls.siteBaseUrl,
      zwiftBaseUrl: urls.zwiftBaseUrl,
      fetch: sim.fetch,
      clock,
      logger,
      retry: { random: () => 0.5 },
    });
    const unknownRider = 999_999_999;
    const engine = createSyncEngine({
      source: client,
      storage: createMemoryStorage(),
      team: { clubId: urls.clubId, riderIds: [unknownRider] },
      clock,
      logger,
      instanceId: 'logger-test',
    });
    closers.push(async () => {
      await clock.run(engine.stop());
      await sim.close();
    });
    engine.start();
    await clock.runUntil(clock.now() + 2 * HOUR);
    await clock.run(engine.stop());

    const { lines } = logger;
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(typeof line.message, JSON.stringify(line)).toBe('string');
      expect(line.fields, JSON.stringify(line)).toBeTypeOf('object');
      expect(line.fields).not.toBeNull();
    }
    const fields = (l: Line) => l.fields as Record<string, unknown>;

    // The engine: a finished run names its job and counts in the fields, the message is the text.
    const eventsRun = lines.find((l) => l.level === 'debug' && l.message === 'events ok');
    expect(eventsRun, 'an "events ok" debug line').toBeDefined();
    expect(fields(eventsRun!)).toMatchObject({ job: 'events', status: 'ok' });
    expect(fields(eventsRun!).apiCalls).toBeTypeOf('number');
    const planned = lines.find((l) => l.message === 'signup lists fetched');
    expect(fields(planned!).byReason).toBeTypeOf('object');
    const unknown = lines.find((l) => l.level === 'warn' && l.message === 'team riders unknown upstream');
    expect(unknown, 'the engine’s warning about a rider the upstream does not know').toBeDefined();
    expect(fields(unknown!).riderIds).toEqual([unknownRider]);

    // The client wrote into the same object, in the same order.
    const retries = lines.filter((l) => l.level === 'warn' && String(l.message).includes('retrying'));
    expect(sim.stats().faultsInjected.byKind.serverError).toBeGreaterThan(0);
    expect(retries.length).toBeGreaterThan(0);
    // Never the key, in either's lines.
    expect(JSON.stringify(lines)).not.toContain(urls.apiKey);
  });
});
