/**
 * A test process that starts PostgREST and then idles, for the test that kills it with SIGKILL:
 * PostgREST must not outlive it. Prints one JSON line `{adminUrl, url}` once PostgREST is ready.
 */
import { startPostgrest } from '../../src/index.ts';

const server = await startPostgrest({ connectionString: process.argv[2] ?? '' });
process.stdout.write(`${JSON.stringify({ adminUrl: server.adminUrl, url: server.url })}\n`);
setInterval(() => {}, 60_000);
