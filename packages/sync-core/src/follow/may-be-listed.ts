/** Zwift event types the ZwiftRacing site never lists (its list holds races and time trials). */
const NEVER_LISTED = new Set(['GROUP_RIDE', 'GROUP_WORKOUT']);

/**
 * Whether a Zwift event may be on the site's race list, by its type: anything but a group ride or
 * a group workout (`RACE`, `TIME_TRIAL`, …, with or without the `EVENT_TYPE_` prefix), and an
 * event of unknown type.
 */
export function mayBeListed(type: string | null): boolean {
  if (type === null) return true;
  return !NEVER_LISTED.has(
    type
      .trim()
      .toUpperCase()
      .replace(/^EVENT_TYPE_/, ''),
  );
}
