const LATIN1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 ' +
  'acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde ' +
  'Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute ' +
  'Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde ' +
  'auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ' +
  'ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';

/** Named entities beyond Latin-1 that turn up in rider and team names. */
const EXTRA: Record<string, number> = {
  amp: 38,
  lt: 60,
  gt: 62,
  quot: 34,
  apos: 39,
  Amacr: 256,
  amacr: 257,
  Abreve: 258,
  abreve: 259,
  Aogon: 260,
  aogon: 261,
  Cacute: 262,
  cacute: 263,
  Ccaron: 268,
  ccaron: 269,
  Dcaron: 270,
  dcaron: 271,
  Dstrok: 272,
  dstrok: 273,
  Emacr: 274,
  emacr: 275,
  Eogon: 280,
  eogon: 281,
  Ecaron: 282,
  ecaron: 283,
  Gbreve: 286,
  gbreve: 287,
  Idot: 304,
  imath: 305,
  Lstrok: 321,
  lstrok: 322,
  Nacute: 323,
  nacute: 324,
  Ncaron: 327,
  ncaron: 328,
  Odblac: 336,
  odblac: 337,
  OElig: 338,
  oelig: 339,
  Rcaron: 344,
  rcaron: 345,
  Sacute: 346,
  sacute: 347,
  Scedil: 350,
  scedil: 351,
  Scaron: 352,
  scaron: 353,
  Tcaron: 356,
  tcaron: 357,
  Uring: 366,
  uring: 367,
  Udblac: 368,
  udblac: 369,
  Yuml: 376,
  Zacute: 377,
  zacute: 378,
  Zdot: 379,
  zdot: 380,
  Zcaron: 381,
  zcaron: 382,
  fnof: 402,
  circ: 710,
  tilde: 732,
  ensp: 8194,
  emsp: 8195,
  thinsp: 8201,
  zwnj: 8204,
  zwj: 8205,
  lrm: 8206,
  rlm: 8207,
  ndash: 8211,
  mdash: 8212,
  lsquo: 8216,
  rsquo: 8217,
  sbquo: 8218,
  ldquo: 8220,
  rdquo: 8221,
  bdquo: 8222,
  dagger: 8224,
  Dagger: 8225,
  bull: 8226,
  hellip: 8230,
  permil: 8240,
  prime: 8242,
  Prime: 8243,
  lsaquo: 8249,
  rsaquo: 8250,
  euro: 8364,
  trade: 8482,
  hearts: 9829,
};

/** Entity name → code point (Latin-1 set, Latin Extended-A, common punctuation). */
export const NAMED_ENTITIES: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  LATIN1.split(' ').forEach((name, i) => {
    map.set(name, 160 + i);
  });
  for (const [name, code] of Object.entries(EXTRA)) map.set(name, code);
  return map;
})();

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g;

function fromCode(code: number, raw: string): string {
  if (code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return raw;
  return String.fromCodePoint(code);
}

/**
 * Decodes HTML character references in a name: named (`&oslash;`, `&amp;` … Latin-1 and common
 * extras), decimal (`&#248;`) and hex (`&#xF8;`). Unknown names and invalid code points stay as
 * written; a bare `&` (e.g. `T&S`) is left alone. Single pass: `&amp;oslash;` → `&oslash;`.
 */
export function decodeHtmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    ENTITY,
    (raw, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (dec !== undefined) return fromCode(Number.parseInt(dec, 10), raw);
      if (hex !== undefined) return fromCode(Number.parseInt(hex, 16), raw);
      const code = name === undefined ? undefined : NAMED_ENTITIES.get(name);
      return code === undefined ? raw : String.fromCodePoint(code);
    },
  );
}
