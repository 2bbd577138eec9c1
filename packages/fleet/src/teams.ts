import type { Sql } from 'postgres';
import { FleetError } from './errors.js';
import { identifier } from './sql.js';

/** A team of the fleet, as stored. */
export interface FleetTeam {
  /** The team's id (letters, digits, `_` and `-`, at most 64). */
  teamId: string;
  /** The club whose members are the team, or `null`. */
  clubId: number | null;
  /** Riders of the team given by id (source `manual`). */
  riderIds: number[];
  /** Name of the environment variable holding the team's API key on the workers (never the key). */
  apiKeyEnv: string;
  /** The key's tier. */
  tier: 'standard' | 'premium';
  /** Disabled teams are not synced (their data stays). */
  enabled: boolean;
}

/** A team to add (or replace) with {@link FleetTeams.add}. */
export interface FleetTeamInput {
  /** The team's id (letters, digits, `_` and `-`, at most 64). */
  teamId: string;
  /**
   * The club whose members are the team.
   * @default none (then `riderIds` is required)
   */
  clubId?: number | null;
  /**
   * Riders of the team by id.
   * @default []
   */
  riderIds?: readonly number[];
  /** Name of the environment variable that holds the team's API key on the workers. Required. */
  apiKeyEnv: string;
  /**
   * The key's tier.
   * @default 'standard'
   */
  tier?: 'standard' | 'premium';
  /**
   * Sync the team.
   * @default true
   */
  enabled?: boolean;
}

/** The teams table of a fleet. */
export interface FleetTeams {
  /** Adds a team, or replaces the team with the same id. */
  add(team: FleetTeamInput): Promise<FleetTeam>;
  /** All teams (enabled and disabled), by id. */
  list(): Promise<FleetTeam[]>;
  /** Removes a team and its membership rows (the world's rows stay). False when there was none. */
  remove(teamId: string): Promise<boolean>;
  /** Every team's members: rider ids by team id. */
  members(): Promise<Map<string, number[]>>;
}

interface TeamRow {
  team_id: string;
  club_id: string | null;
  rider_ids: string[];
  api_key_env: string;
  tier: 'standard' | 'premium';
  enabled: boolean;
}

const fromRow = (r: TeamRow): FleetTeam => ({
  teamId: r.team_id,
  clubId: r.club_id === null ? null : Number(r.club_id),
  riderIds: r.rider_ids.map(Number),
  apiKeyEnv: r.api_key_env,
  tier: r.tier,
  enabled: r.enabled,
});

/** Checks a team before it is written; throws a `FleetError` of kind `config`. */
export function validateTeam(team: FleetTeamInput): void {
  if (typeof team.teamId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(team.teamId))
    throw new FleetError('config', 'teamId must be 1–64 letters, digits, "_" or "-"');
  if (typeof team.apiKeyEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(team.apiKeyEnv))
    throw new FleetError('config', 'apiKeyEnv must be the NAME of an environment variable (not a key)');
  const ids = team.riderIds ?? [];
  if (!ids.every((id) => Number.isSafeInteger(id) && id > 0))
    throw new FleetError('config', 'riderIds must be positive integers');
  if (team.clubId != null && !(Number.isSafeInteger(team.clubId) && team.clubId > 0))
    throw new FleetError('config', 'clubId must be a positive integer');
  if (team.clubId == null && ids.length === 0)
    throw new FleetError('config', 'a team needs a clubId or riderIds');
  if (team.tier !== undefined && team.tier !== 'standard' && team.tier !== 'premium')
    throw new FleetError('config', 'tier must be "standard" or "premium"');
}

/** The teams table in `schema` through a postgres.js connection. */
export function fleetTeams(sql: Sql, schema: string): FleetTeams {
  const s = identifier(schema, 'schema');
  const run = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof FleetError) throw error;
      throw new FleetError('database', `${what} failed: ${(error as Error).message}`, { cause: error });
    }
  };
  return {
    add: (team) =>
      run('teams add', async () => {
        validateTeam(team);
        const rows = await sql.unsafe<TeamRow[]>(
          `insert into ${s}.fleet_teams (team_id, club_id, rider_ids, api_key_env, tier, enabled)
           values ($1, $2, $3::bigint[], $4, $5, $6)
           on conflict (team_id) do update set club_id = excluded.club_id, rider_ids = excluded.rider_ids,
             api_key_env = excluded.api_key_env, tier = excluded.tier, enabled = excluded.enabled
           returning team_id, club_id::text, rider_ids::text[], api_key_env, tier, enabled`,
          [
            team.teamId,
            team.clubId ?? null,
            (team.riderIds ?? []).map(String),
            team.apiKeyEnv,
            team.tier ?? 'standard',
            team.enabled ?? true,
          ] as never[],
        );
        return fromRow(rows[0] as TeamRow);
      }),
    list: () =>
      run('teams list', async () =>
        (
          await sql.unsafe<TeamRow[]>(
            `select team_id, club_id::text, rider_ids::text[], api_key_env, tier, enabled
             from ${s}.fleet_teams order by team_id`,
          )
        ).map(fromRow),
      ),
    remove: (teamId) =>
      run('teams remove', async () => {
        const rows = await sql.unsafe(`delete from ${s}.fleet_teams where team_id = $1 returning team_id`, [
          teamId,
        ]);
        return rows.length > 0;
      }),
    members: () =>
      run('team members', async () => {
        const rows = await sql.unsafe<{ team_id: string; rider_id: string }[]>(
          `select team_id, rider_id::text from ${s}.fleet_team_members`,
        );
        const out = new Map<string, number[]>();
        for (const r of rows) {
          const list = out.get(r.team_id) ?? [];
          list.push(Number(r.rider_id));
          out.set(r.team_id, list);
        }
        return out;
      }),
  };
}
