import { matchesGlob } from 'node:path';
import {
  findPostgrest,
  type PostgrestEndpoint,
  startPgCluster,
  startPostgrest,
} from '@racesync/postgres-kit';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the throwaway PostgreSQL cluster. */
    pgUrl: string;
    /** Port of the cluster (for URLs of other roles). */
    pgPort: number;
    pgVersion: string;
    /** The real PostgREST in front of the cluster, or `null` where it cannot run (see postgrestSkip). */
    postgrest: PostgrestEndpoint | null;
    /** The JWT secret of that PostgREST (to mint other tokens: expired, unknown role). */
    postgrestJwtSecret: string | null;
    /** Why the real-PostgREST tests skip here (never in CI on linux-x64: there a missing binary fails the run). */
    postgrestSkip: string | null;
  }
}

/**
 * Starts one PostgreSQL cluster for the whole test run (every test file uses its own schemas) and one
 * real PostgREST in front of it, as one Supabase project has one: test files expose their schemas
 * through it (`exposeSchemas`), the way a Supabase user does.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const cluster = await startPgCluster();
  project.provide('pgUrl', cluster.url);
  project.provide('pgPort', cluster.port);
  project.provide('pgVersion', cluster.version);
  // Only projects that can hold real-PostgREST tests get one (not `reliability`, whose scaled-clock
  // tests want the machine to themselves). findPostgrest throws in CI when the binary is missing
  // or altered.
  const wanted = project.config.include.some((glob) => matchesGlob('test/x.postgrest-real.test.ts', glob));
  const binary = wanted ? findPostgrest() : { skip: `no real-PostgREST tests in project ${project.name}` };
  let postgrest: Awaited<ReturnType<typeof startPostgrest>> | null = null;
  try {
    if (binary.path !== undefined)
      postgrest = await startPostgrest({ connectionString: cluster.url, binary: binary.path });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  project.provide(
    'postgrest',
    postgrest && {
      url: postgrest.url,
      serviceRoleKey: postgrest.serviceRoleKey,
      anonKey: postgrest.anonKey,
      authenticatedKey: postgrest.authenticatedKey,
    },
  );
  project.provide('postgrestJwtSecret', postgrest?.jwtSecret ?? null);
  project.provide('postgrestSkip', binary.skip ?? null);
  console.log(
    `[${project.name}] PostgreSQL ${cluster.major} on port ${cluster.port}, ${
      postgrest ? `PostgREST 12.0.2 at ${postgrest.url}` : `no real PostgREST (${binary.skip})`
    } (${Date.now() - started} ms)`,
  );
  return async () => {
    await postgrest?.stop();
    await cluster.stop();
  };
}
