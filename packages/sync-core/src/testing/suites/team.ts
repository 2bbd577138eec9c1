import assert from 'node:assert/strict';
import type { SuiteContext } from '../context.js';

export function teamSuite({ it }: SuiteContext): void {
  it('team: replaceTeam adds and removes members of one source only, keeping addedAt', async (s) => {
    assert.deepEqual(await s.replaceTeam('manual', [3, 1, 2], 1000), { added: [1, 2, 3], removed: [] });
    assert.deepEqual(await s.replaceTeam('club', [10, 11], 1000), { added: [10, 11], removed: [] });
    assert.deepEqual(await s.replaceTeam('manual', [2, 3, 4], 2000), { added: [4], removed: [1] });
    const team = await s.getTeam();
    assert.deepEqual(
      team.map((m) => [m.riderId, m.source, m.addedAt]),
      [
        [2, 'manual', 1000],
        [3, 'manual', 1000],
        [4, 'manual', 2000],
        [10, 'club', 1000],
        [11, 'club', 1000],
      ],
    );
    assert.deepEqual(await s.replaceTeam('club', [], 3000), { added: [], removed: [10, 11] });
    assert.equal((await s.getTeam()).length, 3);
  });

  it('team: replaying the same membership is a no-op', async (s) => {
    await s.replaceTeam('club', [5, 6], 1000);
    assert.deepEqual(await s.replaceTeam('club', [6, 5, 5], 2000), { added: [], removed: [] });
    assert.deepEqual(
      (await s.getTeam()).map((m) => m.addedAt),
      [1000, 1000],
    );
  });
}
