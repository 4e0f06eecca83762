/**
 * Times as Train Tracker sends them: local Chicago wall time `YYYY-MM-DDTHH:MM:SS`, no offset.
 * The offset is looked up once per UTC hour (daylight saving changes on an hour boundary), so
 * formatting a time is arithmetic, not a call into Intl per value.
 */
const HOUR_MS = 3_600_000;

const chicagoParts = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/Chicago",
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

const offsetByHour = new Map<number, number>();

/** Chicago's offset from UTC at `ms`, in milliseconds (−6 h in winter, −5 h in summer). */
export function chicagoOffsetMs(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const at = hour * HOUR_MS;
    const p = Object.fromEntries(
      chicagoParts.formatToParts(at).map((part) => [part.type, part.value]),
    );
    const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
    offset = wall - at;
    if (offsetByHour.size > 10_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return offset;
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

export function chicagoTime(ms: number): string {
  const wall = new Date(Math.floor(ms / 1000) * 1000 + chicagoOffsetMs(ms));
  return `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}T${
    pad(wall.getUTCHours())
  }:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`;
}
