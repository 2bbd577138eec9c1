/**
 * Exposing schemas through PostgREST the way a Supabase user does (dashboard → API → Exposed
 * schemas): the setting `pgrst.db_schemas` of the role `authenticator` (read by PostgREST started
 * with `PGRST_DB_CONFIG=true`), then `notify pgrst, 'reload config'` and `'reload schema'`.
 *
 * Several test files share one PostgREST, so exposure is a set: each call adds and removes its own
 * schemas under an advisory lock, keeping everyone else's. PostgREST reloads its configuration and
 * then its schema cache (observed here: up to half a second after the configuration); so
 * {@link exposeSchemas} waits until PostgREST serves the change — an added schema is exposed and its
 * functions are in the schema cache (no call meets PGRST202 afterwards), a removed one answers 406
 * `PGRST106`.
 */
import type { Sql } from 'postgres';
import type { PostgrestEndpoint } from './postgrest-endpoint.ts';
import { AUTHENTICATOR } from './supabase-roles.ts';

const SCHEMA_NAME = /^[a-z_][a-z0-9_$]{0,62}$/;

export interface ExposeOptions {
  /** Schemas to expose. */
  add?: readonly string[];
  /** Schemas to stop exposing. */
  remove?: readonly string[];
  /** The PostgREST to wait for; without it the call returns once the setting is committed. */
  postgrest?: Pick<PostgrestEndpoint, 'url' | 'serviceRoleKey'>;
  /**
   * How long to wait for PostgREST to serve the change.
   * @default 20_000
   */
  timeoutMs?: number;
}

/** The schemas in `authenticator`'s `pgrst.db_schemas` (what PostgREST serves). */
export async function exposedSchemas(sql: Sql): Promise<string[]> {
  const rows = await sql<{ setting: string }[]>`
    select s as setting from pg_db_role_setting d, unnest(d.setconfig) as s
    where d.setrole = (select oid from pg_roles where rolname = ${AUTHENTICATOR}) and d.setdatabase = 0
      and s like 'pgrst.db_schemas=%'`;
  const value = rows[0]?.setting.slice('pgrst.db_schemas='.length) ?? 'public';
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Adds and removes exposed schemas, tells PostgREST, and waits until it serves the change. */
export async function exposeSchemas(sql: Sql, options: ExposeOptions): Promise<string[]> {
  const add = [...(options.add ?? [])];
  const remove = [...(options.remove ?? [])];
  for (const schema of [...add, ...remove]) {
    if (!SCHEMA_NAME.test(schema))
      throw new Error(`exposeSchemas: ${JSON.stringify(schema)} is not a schema name`);
  }
  const list = await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('racesync-kit:pgrst.db_schemas'))`;
    const current = await exposedSchemas(tx as unknown as Sql);
    const next = ['public', ...current, ...add].filter(
      (s, i, all) => all.indexOf(s) === i && !remove.includes(s),
    );
    await tx.unsafe(`alter role ${AUTHENTICATOR} set pgrst.db_schemas = '${next.join(', ')}'`);
    await tx.unsafe(`notify pgrst, 'reload config'`);
    await tx.unsafe(`notify pgrst, 'reload schema'`);
    return next;
  });
  if (options.postgrest) {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    for (const schema of add) await waitUntilServed(sql, options.postgrest, schema, true, deadline);
    for (const schema of remove) await waitUntilServed(sql, options.postgrest, schema, false, deadline);
  }
  return list;
}

type Endpoint = Pick<PostgrestEndpoint, 'url' | 'serviceRoleKey'>;

const headers = (postgrest: Endpoint, schema: string) => ({
  'accept-profile': schema,
  'content-profile': schema,
  'content-type': 'application/json',
  apikey: postgrest.serviceRoleKey,
  authorization: `Bearer ${postgrest.serviceRoleKey}`,
});

/** Whether PostgREST's configuration lists `schema` (its root answers 406 PGRST106 otherwise). */
async function isExposed(postgrest: Endpoint, schema: string): Promise<boolean> {
  const response = await fetch(`${postgrest.url}/`, { headers: headers(postgrest, schema) });
  const body = (await response.json()) as { code?: string };
  if (response.status === 406 && body.code === 'PGRST106') return false;
  if (response.status === 200) return true;
  throw new Error(`PostgREST answered ${response.status} for schema ${schema}: ${JSON.stringify(body)}`);
}

/**
 * Whether PostgREST's schema cache holds function `fn` of `schema`. The call selects a column that
 * cannot exist (`?select=pgrst_probe_`): a function in the cache fails PostgreSQL's parse analysis
 * with 42703 before anything runs, one missing from the cache gets 404 PGRST202. (The OpenAPI root
 * cannot tell: it lists functions from a live query, not from the cache.)
 */
async function isCached(postgrest: Endpoint, schema: string, fn: string): Promise<boolean> {
  const response = await fetch(`${postgrest.url}/rpc/${encodeURIComponent(fn)}?select=pgrst_probe_`, {
    method: 'POST',
    headers: headers(postgrest, schema),
    body: '{}',
  });
  const body = (await response.json()) as { code?: string };
  if (body.code === 'PGRST202' || body.code === 'PGRST106') return false;
  if (body.code === '42703') return true;
  throw new Error(`PostgREST answered ${response.status} for ${schema}.${fn}: ${JSON.stringify(body)}`);
}

async function waitUntilServed(
  sql: Sql,
  postgrest: Endpoint,
  schema: string,
  exposed: boolean,
  deadline: number,
): Promise<void> {
  // A function callable with `{}` (no parameters, or one unnamed json/jsonb parameter) to probe
  // the schema cache with; a schema without one is checked for exposure only.
  const [probe] = exposed
    ? await sql<{ name: string }[]>`
        select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = ${schema} and p.prokind = 'f'
          and has_function_privilege('service_role', p.oid, 'execute')
          and (p.pronargs = 0 or (p.pronargs = 1 and p.proargnames is null
               and p.proargtypes[0] in ('json'::regtype, 'jsonb'::regtype)))
        order by p.proname limit 1`
    : [];
  let last = '';
  for (;;) {
    if (!exposed) {
      if (!(await isExposed(postgrest, schema))) return;
      last = 'still exposed';
    } else if (!(await isExposed(postgrest, schema))) {
      last = 'not exposed yet';
    } else if (probe && !(await isCached(postgrest, schema, probe.name))) {
      last = `the schema cache lacks ${schema}.${probe.name} yet`;
    } else {
      return;
    }
    if (Date.now() > deadline) throw new Error(`PostgREST did not serve the change to ${schema}: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
