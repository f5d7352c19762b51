/**
 * Time-zone arithmetic of the sandbox's schedules: a zone's offset at an instant (through Intl, one
 * lookup per zone and quarter hour) and the instants at which a wall-clock time occurs, which a
 * daylight-saving change makes none or two.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

const offsetCache = new Map<string, number>();

/** Offset of `tz` from UTC at the given instant, in ms (local = utc + offset). */
export function zoneOffsetMs(tz: string, instantMs: number): number {
  if (tz === '' || tz === 'UTC') return 0;
  // Zones change offset only on quarter-hour boundaries, so one lookup serves a whole quarter hour.
  const key = `${tz}|${Math.floor(instantMs / 900_000)}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const offset = lookupZoneOffsetMs(tz, instantMs);
  if (offsetCache.size >= 50_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

/** Asks Intl for the zone's wall clock at the instant: the slow path behind the cache. */
function lookupZoneOffsetMs(tz: string, instantMs: number): number {
  let fmt = formatters.get(tz);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, fmt);
  }
  const parts: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(instantMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return local - Math.floor(instantMs / 1000) * 1000;
}

/**
 * Instants at which the zone's wall clock reads `wallMs` (wall time encoded as if UTC): none in a
 * spring-forward gap, two in a fall-back hour, otherwise one. Sorted ascending.
 */
export function wallToInstants(tz: string, wallMs: number): number[] {
  if (tz === '' || tz === 'UTC') return [wallMs];
  const offsets = new Set([zoneOffsetMs(tz, wallMs - 43_200_000), zoneOffsetMs(tz, wallMs + 43_200_000)]);
  const out: number[] = [];
  for (const off of offsets) {
    const instant = wallMs - off;
    if (zoneOffsetMs(tz, instant) === off) out.push(instant);
  }
  return out.sort((a, b) => a - b);
}
