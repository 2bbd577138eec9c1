import type { Truth } from '@racesync/simulator';

const TEAM_KEYS = new Set([
  'teamId',
  'clubId',
  'clubName',
  'teamRiderIds',
  'riders',
  'riderChanges',
  'riderChangesBetween',
  'teamSignupChanges',
  'teamSignupChangesBetween',
  'teamSignups',
  'teamRaces',
  'followedRiderIds',
  'unfollowedTeamRiderIds',
  'followeeSignupCounts',
]);

/** The world's truth with team `index`'s members (what `compareWithTruth` judges one team by). */
export function truthOfTeam(truth: Truth, index: number): Truth {
  const team = truth.team(index);
  return new Proxy(truth, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && TEAM_KEYS.has(prop)) {
        const value = Reflect.get(team, prop, team);
        return typeof value === 'function' ? value.bind(team) : value;
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
