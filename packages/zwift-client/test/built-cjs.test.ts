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
    server = await startServer((req, res) => {
      if (req.url.startsWith('/auth/')) {
        const form = new URLSearchParams(req.body);
        const ok = form.get('client_id') === 'Zwift_Mobile_Link' && form.get('password') === 'pw';
        sendJson(res, ok ? 200 : 401, ok ? { access_token: 'cjs-token', expires_in: 3600 } : {});
      } else if (req.url.startsWith('/api/events/search')) {
        const ok = req.headers['authorization'] === 'Bearer cjs-token';
        sendJson(res, ok ? 200 : 401, [{ id: 9, name: 'E', eventStart: '2026-01-01T10:00:00.000Z' }]);
      } else sendJson(res, 200, [{ routeId: 1, name: 'R', distance: 1.5 }]);
    });
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

  it('the follower feed from the CJS bundle: password grant (form body), then the Bearer search', async () => {
    const script = `
      const zc = require(${JSON.stringify(dist)});
      const base = process.argv[1];
      const client = zc.createZwiftClient({
        zwiftBaseUrl: base, zwiftAuthBaseUrl: base, zwiftAuth: { username: 'u@example.test', password: 'pw' },
      });
      client.zwift.events.search({ from: 0, to: 1 }).then(
        (r) => console.log(JSON.stringify(r)),
        (e) => { console.error(e); process.exit(1); },
      );
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, server.url]);
    expect(JSON.parse(stdout)).toEqual({
      events: [
        {
          eventId: '9',
          title: 'E',
          startsAt: Date.UTC(2026, 0, 1, 10),
          type: null,
          followeeEntrantCount: null,
          totalEntrantCount: null,
          subgroups: [],
        },
      ],
      truncated: false,
      skipped: [],
    });
  });
});
