/** Pen numbers of the pen labels, as Zwift and ZwiftPower number them. */

/** A → 1 … E → 5 (other labels are numbered by their callers). */
export const PEN_LABEL_NUMBER: Record<string, number> = { A: 1, B: 2, C: 3, D: 4, E: 5 };
