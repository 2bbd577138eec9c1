import nock from 'nock';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type Clock, createZwiftClient, type LogFn, type Logger, systemClock } from '../src/index.ts';

/*
 * Pino's method shapes, copied structurally (pino is not a dependency). `LogFnV9` is pino 8/9's
 * `LogFn`; `LogFnV10` the newer one whose message type drives printf-style arguments.
 */
interface LogFnV9 {
  // biome-ignore lint/suspicious/noExplicitAny: pino's own signature
  <T extends object>(obj: T, msg?: string, ...args: any[]): void;
  // biome-ignore lint/suspicious/noExplicitAny: pino's own signature
  (obj: unknown, msg?: string, ...args: any[]): void;
  // biome-ignore lint/suspicious/noExplicitAny: pino's own signature
  (msg: string, ...args: any[]): void;
}
type PlaceholderSpecifier = 'd' | 's' | 'j' | 'o' | 'O';
type PlaceholderTypeMapping<T extends PlaceholderSpecifier> = T extends 'd'
  ? number
  : T extends 's'
    ? unknown
    : T extends 'j' | 'o' | 'O'
      ? object
      : never;
type ParseLogFnArgs<T, Acc extends unknown[] = []> = T extends `${infer _}%${infer P}${infer Rest}`
  ? P extends PlaceholderSpecifier
    ? ParseLogFnArgs<Rest, [...Acc, PlaceholderTypeMapping<P>]>
    : ParseLogFnArgs<Rest, Acc>
  : Acc;
// biome-ignore lint/suspicious/noEmptyInterface: pino's augmentation point
interface LogFnFields {}
interface LogFnV10 {
  <TMsg extends string = string>(msg: TMsg, ...args: ParseLogFnArgs<TMsg>): void;
  <T, TMsg extends string = string>(
    obj: [T] extends [object] ? T & LogFnFields : T,
    msg?: T extends string ? never : TMsg,
    ...args: ParseLogFnArgs<TMsg> | []
  ): void;
  <T, TMsg extends string = string>(
    obj: [T] extends [object] ? T & LogFnFields : T,
    msg?: T extends string ? never : TMsg,
    ...args: ParseLogFnArgs<TMsg> extends [unknown, ...unknown[]] ? ParseLogFnArgs<TMsg> : unknown[]
  ): void;
}
/** The parts of a pino `Logger` instance a logger option sees. */
interface PinoLike<F> {
  level: string;
  fatal: F;
  error: F;
  warn: F;
  info: F;
  debug: F;
  trace: F;
  silent: F;
  child(bindings: Record<string, unknown>): PinoLike<F>;
  isLevelEnabled(level: string): boolean;
}

describe('Logger and Clock: the project-wide shapes', () => {
  it('a pino logger instance (pino 8/9 and 10 method shapes) is assignable to Logger', () => {
    expectTypeOf<PinoLike<LogFnV9>>().toExtend<Logger>();
    expectTypeOf<PinoLike<LogFnV10>>().toExtend<Logger>();
    expectTypeOf<LogFnV9>().toExtend<LogFn>();
    expectTypeOf<LogFnV10>().toExtend<LogFn>();
    // and as the client's option
    expectTypeOf<PinoLike<LogFnV10>>().toExtend<
      NonNullable<Parameters<typeof createZwiftClient>[0]>['logger']
    >();
  });

  it('LogFn is pino’s (fields, message) order, not (message, fields)', () => {
    expectTypeOf<(message: string, fields: Record<string, unknown>) => void>().not.toExtend<LogFn>();
  });

  it('Clock is { now(), sleep(ms, signal?) } and systemClock implements it', () => {
    expectTypeOf(systemClock).toEqualTypeOf<Clock>();
    expectTypeOf<Clock['sleep']>().toEqualTypeOf<(ms: number, signal?: AbortSignal) => Promise<void>>();
  });
});

describe('a pino-like logger at run time', () => {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('its methods are called as methods (pino needs `this`), with (fields, message)', async () => {
    const lines: { level: string; fields: unknown; message: string }[] = [];
    class FakePino {
      readonly #lines = lines;
      level = 'debug';
      #write(level: string, fields: unknown, message: string): void {
        this.#lines.push({ level, fields, message });
      }
      debug(fields: unknown, message: string): void {
        this.#write('debug', fields, message);
      }
      info(fields: unknown, message: string): void {
        this.#write('info', fields, message);
      }
      warn(fields: unknown, message: string): void {
        this.#write('warn', fields, message);
      }
      error(fields: unknown, message: string): void {
        this.#write('error', fields, message);
      }
    }
    const client = createZwiftClient({
      siteBaseUrl: 'https://site.test',
      logger: new FakePino(),
      retry: { limit: 1, backoffBaseMs: 1, random: () => 0 },
    });
    nock('https://site.test').get('/api/routes').reply(503).get('/api/routes').reply(200, []);
    await client.routes.list();
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      [
        'debug',
        expect.stringMatching(
          /^routes\.list: GET https:\/\/site\.test\/api\/routes → HTTP 503 \(\d+ ms, attempt 1\)$/,
        ),
      ],
      ['warn', 'routes.list: HTTP 503; retrying'],
      ['debug', expect.stringContaining('→ HTTP 200')],
    ]);
  });
});
