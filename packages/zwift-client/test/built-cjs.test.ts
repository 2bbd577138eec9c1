import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startServer } from './helpers/server.ts';

const dist = fileURLToPath(new URL('../dist/index.cjs', import.meta.url));
const built = existsSync(dist);

// Runs after `pnpm build` (CI builds before testing); the root smoke test covers the same ground.
describe.skipIf(!built)('built CommonJS bundle (dist/index.cjs)', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer((_req, res) => sendJson(res, 200, [{ routeId: 1, name: 'R', distance: 1.5 }]));
  });
  afterAll(() => server.close());

  it('ky and p-queue (ESM only) are bundled, not required', () => {
    const code = readFileSync(dist, 'utf8');
    expect(code).not.toMatch(/require\(["'](ky|p-queue)["']\)/);
  });

  it('require() works and the bundled ky and p-queue make real requests (hooks included)', async () => {
    const script = `
      const zc = require(${JSON.stringify(dist)});
      const events = [];
      const client = zc.createZwiftClient({ siteBaseUrl: process.argv[1], onResponse: (e) => events.push(e.status) });
      client.routes.list().then(
        (r) => { if (events.join() !== '200') process.exit(2); console.log(JSON.stringify(r)); },
        (e) => { console.error(e); process.exit(1); },
      );
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, server.url]);
    expect(JSON.parse(stdout)).toEqual({
      routes: [
        {
          routeId: '1',
          name: 'R',
          distanceMeters: 1500,
          elevationMeters: null,
          world: null,
          profile: null,
          eventOnly: null,
          url: null,
          difficulty: null,
        },
      ],
      skipped: [],
    });
  });
});
