/**
 * Starts a throwaway PostgreSQL cluster for the tests and the benchmark: `initdb` into a temp
 * directory, `pg_ctl start` on a free loopback port with a private socket directory, and the roles
 * Supabase has (`anon`, `authenticated`, `service_role` with BYPASSRLS, and PostgREST's login role
 * `authenticator`; see supabase-roles.ts) so the migrations' grants are exercised. As root, the server binaries run as the `postgres` user (initdb refuses root).
 * Needs PostgreSQL's server binaries (`initdb`, `pg_ctl`) on PATH or in /usr/lib/postgresql/<v>/bin.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { freePort } from './free-port.ts';
import { ensureSupabaseRoles } from './supabase-roles.ts';

const run = promisify(execFile);

export interface PgCluster {
  /** Superuser URL (trust authentication on loopback). */
  url: string;
  port: number;
  /** `select version()`. */
  version: string;
  /** Server major version, e.g. 15. */
  major: number;
  /** URL of the password-protected role `racesync_pw` (password `PASSWORD` below). */
  passwordUrl(password: string): string;
  stop(): Promise<void>;
}

/** Password of the `racesync_pw` role (scram-sha-256), for the tests about secrets in errors. */
export const PASSWORD_ROLE = 'racesync_pw';
export const PASSWORD = 'Corr3ct-Horse-S3cret!';

export interface StartOptions {
  /**
   * Keep PostgreSQL's durability settings (fsync, synchronous_commit) as shipped — what a real
   * server does; the benchmark uses this. Tests run with fsync off.
   * @default false
   */
  durable?: boolean;
  /**
   * Create Supabase's roles (`anon`, `authenticated`, `service_role`, `authenticator`).
   * @default true
   */
  supabaseRoles?: boolean;
}

function findBinDir(): string {
  const candidates: string[] = [];
  try {
    const onPath = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    if (onPath) candidates.push(execFileSync('readlink', ['-f', onPath], { encoding: 'utf8' }).trim());
  } catch {
    // not on PATH
  }
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(a) - Number(b));
    const preferred = versions.includes('15') ? ['15', ...versions.filter((v) => v !== '15')] : versions;
    for (const v of preferred) candidates.push(`/usr/lib/postgresql/${v}/bin/initdb`);
  }
  for (const candidate of candidates) {
    if (existsSync(candidate)) return candidate.replace(/\/initdb$/, '');
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) are required for these tests: install them ' +
      '(Debian/Ubuntu: apt-get install postgresql) or put initdb on PATH',
  );
}

export async function startPgCluster(options: StartOptions = {}): Promise<PgCluster> {
  const bin = findBinDir();
  const asRoot = process.getuid?.() === 0;
  const base = mkdtempSync(join(tmpdir(), 'racesync-pg-'));
  chmodSync(base, 0o755); // postgres must traverse it
  const data = join(base, 'data');
  const sock = join(base, 'sock');
  mkdirSync(data, { mode: 0o700 });
  mkdirSync(sock, { mode: 0o755 });
  let uid: number | undefined;
  let gid: number | undefined;
  if (asRoot) {
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    } catch {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
      uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    }
    gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(data, uid, gid);
    chownSync(sock, uid, gid);
  }
  const pgRun = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args);

  await pgRun('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  // Trust on loopback, except a password-protected role for the secrets tests.
  const hba = [
    'local all all trust',
    `host all ${PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256`,
    'host all all 127.0.0.1/32 trust',
    '',
  ].join('\n');
  writeFileSync(join(data, 'pg_hba.conf'), hba);
  if (uid !== undefined && gid !== undefined) chownSync(join(data, 'pg_hba.conf'), uid, gid);

  const port = await freePort();
  const settings = ['-c listen_addresses=127.0.0.1', `-p ${port}`, `-k ${sock}`, '-c max_connections=300'];
  if (!options.durable) settings.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off');
  await pgRun('pg_ctl', [
    '-D',
    data,
    '-l',
    join(data, 'server.log'),
    '-w',
    '-t',
    '30',
    '-o',
    settings.join(' '),
    'start',
  ]);

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      const args = ['-D', data, '-m', 'immediate', '-w', 'stop'];
      if (asRoot)
        execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' });
      else execFileSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
    } catch {
      // already stopped
    }
    rmSync(base, { recursive: true, force: true });
  };
  process.once('exit', stopSync);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let version = '';
  try {
    if (options.supabaseRoles !== false) await ensureSupabaseRoles(sql);
    await sql.unsafe(`create role ${PASSWORD_ROLE} login password '${PASSWORD}'`);
    version = (await sql<{ version: string }[]>`select version()`)[0]?.version ?? '';
  } finally {
    await sql.end();
  }
  const major = Number(/PostgreSQL (\d+)/.exec(version)?.[1] ?? 0);

  return {
    url,
    port,
    version,
    major,
    passwordUrl: (password) =>
      `postgres://${PASSWORD_ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopSync);
      try {
        await pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  };
}
