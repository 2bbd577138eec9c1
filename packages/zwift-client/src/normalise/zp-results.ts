import type { RawZwiftPowerResultRow } from '../schemas/zp-results.ts';
import type { ZwiftPowerResultRow } from '../types.ts';
import { decodeHtmlEntities } from './html-entities.ts';
import { requireNumber, toNumber } from './values.ts';

const emptyToNull = (value: string | null | undefined): string | null =>
  value === null || value === undefined || value.trim() === '' ? null : value;

/** ZwiftPower row → {@link ZwiftPowerResultRow}: `[value, flag]` pairs and numeric strings become numbers. */
export function normaliseZwiftPowerRow(raw: RawZwiftPowerResultRow): ZwiftPowerResultRow {
  return {
    riderId: requireNumber(raw.zwid, 'zwid'),
    name: decodeHtmlEntities(raw.name ?? ''),
    category: emptyToNull(raw.category),
    position: toNumber(raw.pos),
    positionInCategory: toNumber(raw.position_in_cat),
    timeSeconds: toNumber(raw.time),
    gap: toNumber(raw.gap),
    avgPower: toNumber(raw.avg_power),
    avgWkg: toNumber(raw.avg_wkg),
    normalizedPower: toNumber(raw.np),
    wattsFtp: toNumber(raw.wftp),
    ftp: toNumber(raw.ftp),
    weight: toNumber(raw.weight),
    height: toNumber(raw.height),
    avgHr: toNumber(raw.avg_hr),
    maxHr: toNumber(raw.max_hr),
    wkg5: toNumber(raw.wkg5),
    wkg15: toNumber(raw.wkg15),
    wkg30: toNumber(raw.wkg30),
    wkg60: toNumber(raw.wkg60),
    wkg120: toNumber(raw.wkg120),
    wkg300: toNumber(raw.wkg300),
    wkg1200: toNumber(raw.wkg1200),
    w5: toNumber(raw.w5),
    w15: toNumber(raw.w15),
    w30: toNumber(raw.w30),
    w60: toNumber(raw.w60),
    w120: toNumber(raw.w120),
    w300: toNumber(raw.w300),
    w1200: toNumber(raw.w1200),
    teamName: emptyToNull(
      raw.tname === null || raw.tname === undefined ? raw.tname : decodeHtmlEntities(raw.tname),
    ),
    country: emptyToNull(raw.flag),
    ageCategory: emptyToNull(raw.age),
  };
}
