#!/usr/bin/env node
/**
 * `racesync-fleet`: migrate | teams add | teams list | teams remove | worker.
 * The database URL comes from DATABASE_URL (or the variable named by --database-env); API keys are
 * only ever named (`--key-env VAR`), never passed, stored or printed.
 */
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { FleetError } from './errors.js';
import { migrateFleet } from './migrate.js';
import { fleetTeams } from './teams.js';
import { createFleetWorker } from './worker.js';

const USAGE = `usage: racesync-fleet <command> [options]

commands:
  migrate                              create/update the storage, fleet tables and pg-boss schema
  teams add <teamId> --key-env VAR [--club ID] [--riders 1,2,3] [--tier standard|premium] [--disabled]
  teams list [--json]
  teams remove <teamId>
  worker [--id NAME] [--concurrency N] [--world-key-env VAR]

common options:
  --database-env VAR   environment variable holding the PostgreSQL URL (default DATABASE_URL)
  --schema NAME        storage schema (default racesync)
  --boss-schema NAME   pg-boss schema (default racesync_boss)

API keys are referenced by the NAME of an environment variable (--key-env), never given on the
command line, stored in the database or logged.`;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'database-env': { type: 'string', default: 'DATABASE_URL' },
      schema: { type: 'string', default: 'racesync' },
      'boss-schema': { type: 'string', default: 'racesync_boss' },
      'key-env': { type: 'string' },
      club: { type: 'string' },
      riders: { type: 'string' },
      tier: { type: 'string' },
      disabled: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      id: { type: 'string' },
      concurrency: { type: 'string' },
      'world-key-env': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const dbEnv = values['database-env'] as string;
  const databaseUrl = env[dbEnv];
  if (!databaseUrl) throw new FleetError('config', `no database URL in the environment variable ${dbEnv}`);
  const schema = values.schema as string;
  const bossSchema = values['boss-schema'] as string;

  if (command === 'migrate') {
    await migrateFleet({ databaseUrl, schema, bossSchema });
    process.stdout.write(`migrated schema ${schema} and pg-boss schema ${bossSchema}\n`);
    return 0;
  }
  if (command === 'teams') {
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const teams = fleetTeams(sql, schema);
      if (sub === 'add') {
        if (!arg) throw new FleetError('config', 'teams add needs a team id');
        if (!values['key-env'])
          throw new FleetError('config', 'teams add needs --key-env VAR (the NAME of the variable)');
        const riderIds = values.riders
          ? String(values.riders)
              .split(',')
              .map((s) => Number(s.trim()))
          : [];
        const team = await teams.add({
          teamId: arg,
          clubId: values.club ? Number(values.club) : null,
          riderIds,
          apiKeyEnv: values['key-env'] as string,
          tier: (values.tier as 'standard' | 'premium' | undefined) ?? 'standard',
          enabled: !values.disabled,
        });
        if (env[team.apiKeyEnv] === undefined) {
          process.stderr.write(`note: ${team.apiKeyEnv} is not set here; the workers need it\n`);
        }
        process.stdout.write(`team ${team.teamId} saved\n`);
        return 0;
      }
      if (sub === 'list') {
        const list = await teams.list();
        if (values.json) process.stdout.write(`${JSON.stringify(list)}\n`);
        else
          for (const t of list) {
            process.stdout.write(
              `${t.teamId}\tclub=${t.clubId ?? '-'}\triders=${t.riderIds.length}\tkey=$${t.apiKeyEnv}\t${t.tier}\t${t.enabled ? 'enabled' : 'disabled'}\n`,
            );
          }
        return 0;
      }
      if (sub === 'remove') {
        if (!arg) throw new FleetError('config', 'teams remove needs a team id');
        const removed = await teams.remove(arg);
        process.stdout.write(removed ? `team ${arg} removed\n` : `no team ${arg}\n`);
        return removed ? 0 : 1;
      }
      throw new FleetError('config', `unknown teams command ${JSON.stringify(sub)}`);
    } finally {
      await sql.end({ timeout: 5 });
    }
  }
  if (command === 'worker') {
    const worker = createFleetWorker({
      databaseUrl,
      schema,
      bossSchema,
      ...(values.id ? { workerId: values.id as string } : {}),
      ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
      ...(values['world-key-env'] ? { worldApiKeyEnv: values['world-key-env'] as string } : {}),
      logger: {
        warn: (fields, message) =>
          process.stderr.write(`${JSON.stringify({ level: 'warn', message, fields })}\n`),
        error: (fields, message) =>
          process.stderr.write(`${JSON.stringify({ level: 'error', message, fields })}\n`),
      },
    });
    await worker.start();
    process.stdout.write(`worker ${worker.workerId} started\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await worker.stop();
    process.stdout.write(`worker ${worker.workerId} stopped\n`);
    return 0;
  }
  throw new FleetError('config', `unknown command ${JSON.stringify(command)}`);
}

const invoked = process.argv[1] ?? '';
if (/racesync-fleet$|cli\.(c?js|ts)$/.test(invoked)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const kind = error instanceof FleetError ? error.kind : 'error';
      process.stderr.write(`racesync-fleet: ${kind}: ${(error as Error).message}\n`);
      process.exit(error instanceof FleetError && error.kind === 'config' ? 2 : 1);
    },
  );
}
