import { describe, expect, it } from 'vitest';
import { decodeHtmlEntities, NAMED_ENTITIES } from '../src/normalise/html-entities.ts';
import { kmToMeters, parseZwiftTime, secondsToMs, toFlag, toNumber } from '../src/normalise/values.ts';
import { formatPath } from '../src/validate/path.ts';

describe('decodeHtmlEntities', () => {
  it('decodes the names seen upstream', () => {
    expect(decodeHtmlEntities('Magnus Skj&oslash;th #HAC# ')).toBe('Magnus Skjøth #HAC# ');
    expect(decodeHtmlEntities('M elanie &#9889;&#65039;pacemaker &#10084;&#65039; ZLDR')).toBe(
      'M elanie ⚡️pacemaker ❤️ ZLDR',
    );
  });
  it('decodes decimal and hex references, incl. astral code points', () => {
    expect(decodeHtmlEntities('Skj&#248;th Skj&#xF8;th Skj&#XF8;th')).toBe('Skjøth Skjøth Skjøth');
    expect(decodeHtmlEntities('&#128690; &#x1F6B2;')).toBe('🚲 🚲');
  });
  it('knows the whole Latin-1 set and common extras', () => {
    expect(NAMED_ENTITIES.size).toBeGreaterThanOrEqual(96 + 5);
    expect(decodeHtmlEntities('&nbsp;')).toBe('\u00a0');
    expect(decodeHtmlEntities('&yuml;')).toBe('ÿ');
    expect(decodeHtmlEntities('&Aring;ngstr&ouml;m M&uuml;ller Fran&ccedil;ois &Eacute;mile &szlig;')).toBe(
      'Ångström Müller François Émile ß',
    );
    expect(decodeHtmlEntities('&amp; &lt;&gt; &quot;&apos;')).toBe('& <> "\'');
    expect(decodeHtmlEntities('&Scaron;koda &Lstrok;&oacute;d&zacute; &euro; &ndash; &hellip;')).toBe(
      'Škoda Łódź € – …',
    );
  });
  it('leaves bare ampersands, unknown names and invalid code points alone', () => {
    expect(decodeHtmlEntities('Rob Griffin [T&S]')).toBe('Rob Griffin [T&S]');
    expect(decodeHtmlEntities('A & B')).toBe('A & B');
    expect(decodeHtmlEntities('&notanentity; &#0; &#xD800; &#1114112;')).toBe(
      '&notanentity; &#0; &#xD800; &#1114112;',
    );
    expect(decodeHtmlEntities('no entities')).toBe('no entities');
  });
  it('decodes a single pass only', () => {
    expect(decodeHtmlEntities('&amp;oslash;')).toBe('&oslash;');
  });
});

describe('value coercions', () => {
  it('toNumber accepts numbers, numeric strings and [value, flag] arrays; 0 is a value', () => {
    expect(toNumber(0)).toBe(0);
    expect(toNumber('70.1')).toBe(70.1);
    expect(toNumber(['70.1', 0])).toBe(70.1);
    expect(toNumber([418, 1])).toBe(418);
    expect(toNumber(['0', 1])).toBe(0);
    expect(toNumber('')).toBeNull();
    expect(toNumber([])).toBeNull();
    expect(toNumber(null)).toBeNull();
    expect(toNumber(undefined)).toBeNull();
    expect(toNumber(Number.NaN)).toBeNull();
    expect(toNumber('abc')).toBeNull();
  });
  it('units: seconds → ms, km → m', () => {
    expect(secondsToMs(1765195800)).toBe(1765195800000);
    expect(kmToMeters(19.5868)).toBe(19586.8);
    expect(kmToMeters(8.04981933)).toBe(8049.819);
    expect(kmToMeters(0)).toBe(0);
  });
  it('parses Zwift timestamps with +0000 offsets', () => {
    expect(parseZwiftTime('2025-06-01T22:30:00.000+0000')).toBe(Date.UTC(2025, 5, 1, 22, 30));
    expect(parseZwiftTime('2025-06-01T22:30:00.000+02:00')).toBe(Date.UTC(2025, 5, 1, 20, 30));
    expect(parseZwiftTime('2025-06-01T22:30:00Z')).toBe(Date.UTC(2025, 5, 1, 22, 30));
    expect(parseZwiftTime('yesterday')).toBeNull();
  });
  it('flags', () => {
    expect(toFlag(true)).toBe(true);
    expect(toFlag(0)).toBe(false);
    expect(toFlag('true')).toBe(true);
    expect(toFlag('maybe')).toBeNull();
  });
  it('payload paths', () => {
    expect(formatPath('', [3, 'riderId'])).toBe('[3].riderId');
    expect(formatPath('riders', [3, 'power', 'wkg5'])).toBe('riders[3].power.wkg5');
    expect(formatPath('', ['riders', 0])).toBe('riders[0]');
    expect(formatPath('', ['a-b'])).toBe('["a-b"]');
  });
});
