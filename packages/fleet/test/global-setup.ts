import { startPgCluster } from '@racesync/postgres-kit';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the throwaway PostgreSQL cluster. */
    pgUrl: string;
  }
}

/** One throwaway PostgreSQL cluster per test run; every test file uses its own schemas. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPgCluster();
  project.provide('pgUrl', cluster.url);
  return async () => {
    await cluster.stop();
  };
}
