import { SyncConfigError } from '@racesync/sync-core';
import { describe, expect, it } from 'vitest';
import {
  createPostgresRateLimitStore,
  createPostgresStorage,
  createPostgresTransport,
  createSupabaseTransport,
  migrate,
} from '../../src/index.ts';

// Every invalid option of the adapter's constructors gets one clear SyncConfigError naming it —
// before any connection is attempted — and the message never echoes a password.
const URL = 'postgres://racesync:S3cret-Passw0rd@127.0.0.1:1/db';

async function optionOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SyncConfigError);
    expect((error as SyncConfigError).kind).toBe('config');
    expect(String((error as Error).message)).not.toContain('S3cret-Passw0rd');
    return (error as SyncConfigError).option;
  }
  return undefined;
}

describe('adapter configuration: every invalid option named', () => {
  const transport = createPostgresTransport({ connectionString: URL });
  const cases: [string, () => unknown][] = [
    ['options', () => createPostgresTransport(undefined as never)],
    ['connectionString', () => createPostgresTransport({})],
    ['connectionString', () => createPostgresTransport({ connectionString: '' })],
    [
      'connectionString',
      () => createPostgresTransport({ connectionString: 'postgres://u:S3cret-Passw0rd@[::1' }),
    ],
    ['sql', () => createPostgresTransport({ connectionString: URL, sql: transport.sql })],
    ['sql', () => createPostgresTransport({ sql: {} as never })],
    ['max', () => createPostgresTransport({ connectionString: URL, max: 0 })],
    ['max', () => createPostgresTransport({ connectionString: URL, max: 'ten' as never })],
    ['prepare', () => createPostgresTransport({ connectionString: URL, prepare: 'no' as never })],
    [
      'connectTimeoutSeconds',
      () => createPostgresTransport({ connectionString: URL, connectTimeoutSeconds: -1 }),
    ],
    [
      'idleTimeoutSeconds',
      () => createPostgresTransport({ connectionString: URL, idleTimeoutSeconds: Number.NaN }),
    ],
    [
      'applicationName',
      () => createPostgresTransport({ connectionString: URL, applicationName: 5 as never }),
    ],
    ['schema', () => createPostgresTransport({ connectionString: URL, schema: 'Bad Name' })],
    ['options', () => createSupabaseTransport(undefined as never)],
    ['client', () => createSupabaseTransport({} as never)],
    ['client', () => createSupabaseTransport({ client: 'https://x.supabase.co' } as never)],
    ['schema', () => createSupabaseTransport({ client: { schema: () => ({}) } as never, schema: 'pg_x' })],
    ['options', () => createPostgresStorage(undefined as never)],
    ['transport', () => createPostgresStorage({} as never)],
    ['transport', () => createPostgresStorage({ transport: URL } as never)],
    ['schema', () => createPostgresStorage({ transport, schema: 'Racesync' })],
    ['transport', () => createPostgresRateLimitStore({} as never)],
    ['connectionString', () => migrate({})],
    ['connectionString', () => migrate({ connectionString: 'postgres://u:S3cret-Passw0rd@[::1' })],
    ['schema', () => migrate({ connectionString: URL, schema: '1abc' })],
  ];
  for (const [option, make] of cases) {
    it(`${option}: ${make.toString().slice(6, 110)}`, async () => {
      expect(await optionOf(make)).toBe(option);
    });
  }

  it('a valid configuration creates everything without connecting', async () => {
    const t = createPostgresTransport({
      connectionString: URL,
      max: 2,
      prepare: false,
      connectTimeoutSeconds: 1,
      idleTimeoutSeconds: 0,
      applicationName: 'x',
      schema: 'team_data',
    });
    const storage = createPostgresStorage({ transport: t, schema: 'team_data' });
    expect(storage.schema).toBe('team_data');
    await storage.close();
    await transport.close();
  });
});
