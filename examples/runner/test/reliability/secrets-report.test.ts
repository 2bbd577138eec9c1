/**
 * Secrets in what the Supabase runner leaves behind after a faulty run: its stdout and stderr, the
 * HTML report (`--report`) and every row of every table it wrote. The API key is distinctive, the
 * upstream faults 30 % of responses, `DATABASE_URL` carries a distinctive password (the test
 * cluster trusts loopback for this role, so the password travels but is not checked — the
 * adapter's own secrets test covers real password failures), and the follower feed runs with a
 * Zwift account (ZWIFT_USERNAME/ZWIFT_PASSWORD) whose password is distinctive. A second run cannot
 * reach its database at all (the password in that URL too); a third gets a wrong Zwift password
 * and falls back to the site planner, loudly.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PgCluster, startPgCluster } from '@racesync/postgres-kit';
import { createSimulation } from '@racesync/simulator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSupabaseRunner } from '../../src/supabase-runner.ts';
import { captureIo, fakeSignals } from '../helpers.ts';

const API_KEY = `zr-live-${'9f2c'.repeat(8)}`;
const DB_PASSWORD = 'Tr0ub4dor&3-runner-secret';
const ZWIFT_PASSWORD = 'zw1ft-C0rrect-Horse-secret';
const WRONG_ZWIFT_PASSWORD = 'zw1ft-Wr0ng-Battery-secret';
const SECRETS = [API_KEY, DB_PASSWORD, ZWIFT_PASSWORD, WRONG_ZWIFT_PASSWORD];
const FORMS = () => SECRETS.flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')]);

let cluster: PgCluster;
let sql: postgres.Sql;
let dir: string;

beforeAll(async () => {
  cluster = await startPgCluster();
  sql = postgres(cluster.url, { max: 2, onnotice: () => {} });
  dir = mkdtempSync(join(tmpdir(), 'racesync-secrets-'));
});

afterAll(async () => {
  await sql?.end();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const expectNoSecret = (label: string, text: string) => {
  for (const form of FORMS()) {
    const at = text.indexOf(form);
    expect(at, `${label}: …${text.slice(Math.max(0, at - 150), at + 40)}…`).toBe(-1);
  }
};

describe('the Supabase runner never writes a secret', () => {
  it('stdout, stderr, the HTML report and the database after a faulty run', async () => {
    const sim = createSimulation({
      seed: 9,
      teamSize: 30,
      days: 2,
      apiKeys: [API_KEY],
      faults: { rate: 0.3 },
    });
    const urls = await sim.listen();
    sim.setZwiftPassword(ZWIFT_PASSWORD);
    // The login (a derived name) is a secret too.
    SECRETS.push(urls.zwiftAccount.username);
    const databaseUrl = cluster.url.replace('postgres@', `postgres:${encodeURIComponent(DB_PASSWORD)}@`);
    const env = {
      ZWIFTRACING_API_KEY: API_KEY,
      TEAM_CLUB_ID: String(urls.clubId),
      ZWIFTRACING_BASE_URL: urls.baseUrl,
      ZWIFTRACING_SITE_BASE_URL: urls.siteBaseUrl,
      ZWIFTRACING_ZWIFT_BASE_URL: urls.zwiftBaseUrl,
      ZWIFT_AUTH_BASE_URL: urls.zwiftAuthBaseUrl,
      ZWIFT_USERNAME: urls.zwiftAccount.username,
      ZWIFT_PASSWORD,
      RACESYNC_MIGRATE: '1',
      RACESYNC_SCHEMA: 'runner_secrets',
    };
    try {
      const report = join(dir, 'report.html');
      const io = captureIo();
      const code = await runSupabaseRunner({
        argv: ['--hours', '3', '--report', report],
        env: { ...env, DATABASE_URL: databaseUrl },
        stdout: io.stdout,
        stderr: io.stderr,
        signals: fakeSignals(),
        clock: sim.clock,
        fetch: sim.fetch,
      });
      expect(code, io.all()).toBe(0);
      expect(sim.stats().faultsInjected.total).toBeGreaterThan(20);
      // The feed ran: Zwift's search and entrants were called, and team signups were stored.
      expect(io.out()).toContain('follower feed on (ZWIFT_USERNAME/ZWIFT_PASSWORD)');
      expect(io.out()).toMatch(/\n\s+zwift-search\s+[1-9]/);
      expect(io.out()).toMatch(/\n\s+zwift-entrants\s+[1-9]/);
      expect(io.out()).toMatch(/team signups [1-9]\d* active/);
      const html = readFileSync(report, 'utf8');
      expect(html).toContain('<svg');
      expectNoSecret('output', io.all());
      expectNoSecret('report', html);
      const tables = await sql<{ name: string }[]>`
        select tablename as name from pg_tables where schemaname = 'runner_secrets'`;
      let rows = 0;
      for (const { name } of tables) {
        for (const row of await sql.unsafe(
          `select to_jsonb(t)::text as row from runner_secrets."${name}" t`,
        )) {
          expectNoSecret(`table ${name}`, String(row.row));
          rows++;
        }
      }
      expect(rows).toBeGreaterThan(1000);

      // The database unreachable (same password): exit 1, the problem named, no secret.
      const down = captureIo();
      const failed = await runSupabaseRunner({
        argv: ['--once', '--report', join(dir, 'down.html')],
        env: { ...env, DATABASE_URL: databaseUrl.replace(/:\d+\//, ':9/') },
        stdout: down.stdout,
        stderr: down.stderr,
        signals: fakeSignals(),
        clock: sim.clock,
        fetch: sim.fetch,
      });
      expect(failed).toBe(1);
      expect(down.all()).toMatch(/connect|reach|refused/i);
      expectNoSecret('unreachable output', down.all());

      // A wrong Zwift password: the feed falls back loudly, signups keep coming from the site.
      const wrong = captureIo();
      sim.setFaults(null);
      const fellBack = await runSupabaseRunner({
        argv: ['--hours', '1'],
        env: { ...env, DATABASE_URL: databaseUrl, ZWIFT_PASSWORD: WRONG_ZWIFT_PASSWORD },
        stdout: wrong.stdout,
        stderr: wrong.stderr,
        signals: fakeSignals(),
        clock: sim.clock,
        fetch: sim.fetch,
      });
      expect(fellBack, wrong.all()).toBe(0);
      expect(wrong.err()).toMatch(
        /follower feed off \(auth\):.*signups come from the ZwiftRacing site meanwhile/,
      );
      expect(wrong.out()).toMatch(/\n\s+site\s+[1-9]/);
      expectNoSecret('fallback output', wrong.all());
      const failedFeed = await sql.unsafe(
        `select to_jsonb(t)::text as row from runner_secrets.sync_log t where job = 'follow' and error_kind = 'auth'`,
      );
      expect(failedFeed.length).toBeGreaterThan(0);
      for (const { name } of tables) {
        for (const row of await sql.unsafe(
          `select to_jsonb(t)::text as row from runner_secrets."${name}" t`,
        )) {
          expectNoSecret(`table ${name} after the fallback`, String(row.row));
        }
      }
    } finally {
      await sim.close();
    }
  });
});
