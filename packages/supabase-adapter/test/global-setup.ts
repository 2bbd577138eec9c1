import type { TestProject } from 'vitest/node';
import { startPgCluster } from './support/pg-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the throwaway PostgreSQL cluster. */
    pgUrl: string;
    /** Port of the cluster (for URLs of other roles). */
    pgPort: number;
    pgVersion: string;
  }
}

/** Starts one PostgreSQL cluster for the whole test run; every test file uses its own schemas. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const cluster = await startPgCluster();
  project.provide('pgUrl', cluster.url);
  project.provide('pgPort', cluster.port);
  project.provide('pgVersion', cluster.version);
  console.log(
    `[supabase-adapter] PostgreSQL ${cluster.major} on port ${cluster.port} (${Date.now() - started} ms)`,
  );
  return () => cluster.stop();
}
