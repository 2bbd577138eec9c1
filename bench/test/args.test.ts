import { describe, expect, it } from 'vitest';
import { listArg, parseArgs } from '../src/args.js';
import { teamRaceTimesArg, teamSignupLeadArg } from '../src/strategy-args.js';

const args = (...argv: string[]) => parseArgs(argv);

describe('benchmark arguments', () => {
  it('reads ranges and lists, sorted and without repeats', () => {
    expect(listArg(args('--team-hours', '17-21'), 'team-hours', 23)).toEqual([17, 18, 19, 20, 21]);
    expect(listArg(args('--x=1-3,0,2'), 'x', 6)).toEqual([0, 1, 2, 3]);
    expect(listArg(args('--x', '6,0,6'), 'x', 6)).toEqual([0, 6]);
    expect(listArg(args(), 'x', 6)).toBeUndefined();
  });

  it('names the option and the part at fault', () => {
    expect(() => listArg(args('--team-hours', '18-24'), 'team-hours', 23)).toThrow(
      '--team-hours: 18-24 is not a whole number or range within [0, 23]',
    );
    expect(() => listArg(args('--x', '5-3'), 'x', 6)).toThrow('--x: 5-3');
    expect(() => listArg(args('--x', 'a'), 'x', 6)).toThrow('--x: a');
    expect(() => listArg(args('--x'), 'x', 6)).toThrow('--x needs a list');
  });

  it('turns --team-hours and --team-weekdays into the simulator option, or nothing', () => {
    expect(teamRaceTimesArg(args('--team-hours', '17-18'))).toEqual({ hoursUtc: [17, 18] });
    expect(teamRaceTimesArg(args('--team-weekdays', '0,6', '--team-hours', '9'))).toEqual({
      hoursUtc: [9],
      weekdaysUtc: [0, 6],
    });
    expect(teamRaceTimesArg(args('--seed', '3'))).toBeUndefined();
  });

  it('turns --team-late-minutes and --team-late-share into the simulator option, or nothing', () => {
    expect(teamSignupLeadArg(args('--team-late-minutes', '60'))).toEqual({ lateWindowMs: 3_600_000 });
    expect(teamSignupLeadArg(args('--team-late-share', '0.8'))).toEqual({ lateShare: 0.8 });
    expect(teamSignupLeadArg(args('--team-late-share=0', '--team-late-minutes', '2879'))).toEqual({
      lateShare: 0,
      lateWindowMs: 2879 * 60_000,
    });
    expect(teamSignupLeadArg(args('--team-late-minutes', '6', '--team-late-share', '1'))).toEqual({
      lateShare: 1,
      lateWindowMs: 360_000,
    });
    expect(teamSignupLeadArg(args('--team-hours', '17-21'))).toBeUndefined();
  });

  it('names the late-signup option at fault', () => {
    expect(() => teamSignupLeadArg(args('--team-late-minutes', '5'))).toThrow(
      '--team-late-minutes: 5 is not a whole number within [6, 2879]',
    );
    expect(() => teamSignupLeadArg(args('--team-late-minutes', '2880'))).toThrow('--team-late-minutes: 2880');
    expect(() => teamSignupLeadArg(args('--team-late-minutes', '60.5'))).toThrow('--team-late-minutes: 60.5');
    expect(() => teamSignupLeadArg(args('--team-late-minutes', 'x'))).toThrow(
      '--team-late-minutes needs a number',
    );
    expect(() => teamSignupLeadArg(args('--team-late-minutes'))).toThrow(
      '--team-late-minutes needs a number',
    );
    expect(() => teamSignupLeadArg(args('--team-late-share', '1.5'))).toThrow(
      '--team-late-share: 1.5 is not a number within [0, 1]',
    );
    expect(() => teamSignupLeadArg(args('--team-late-share', '-0.1'))).toThrow('--team-late-share: -0.1');
    expect(() => teamSignupLeadArg(args('--team-late-share'))).toThrow('--team-late-share needs a number');
  });
});
