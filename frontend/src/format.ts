/** Display formatting: money in minor units, dates in the visitor's locale. */

export function money(cents: number | null | undefined, currency: string | null | undefined): string {
  if (cents === null || cents === undefined) return "";
  const cur = currency || "EUR";
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: cur }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${cur}`;
  }
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit",
  }).format(new Date(iso));
}

/** The time of day only (an offer's hold ends within the hour): "20:15", or "08:15 PM". */
export function timeOfDay(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Milliseconds from `now` until `iso` (never negative); Infinity when there is no deadline. */
export function msUntil(iso: string | null | undefined, now: number): number {
  if (!iso) return Infinity;
  const at = new Date(iso).getTime();
  return Number.isNaN(at) ? Infinity : Math.max(0, at - now);
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * A countdown as m:ss (9:05), h:mm:ss (2:09:05) from an hour, "3 days 2:09:05" from a day;
 * rounded up so it reaches 0:00 only at the deadline.
 */
export function clock(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  if (total < 3600) return `${Math.floor(total / 60)}:${pad(total % 60)}`;
  const days = Math.floor(total / 86_400);
  const hms = `${Math.floor(total / 3600) % 24}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
  return days ? `${plural(days, "day", "days")} ${hms}` : hms;
}

/** A day and time close enough to name by its weekday: "Fri 12 Jun, 18:00" (the visitor's
 * locale; `long`: "Friday 12 June at 10:00"). */
export function dayAndTime(iso: string, long = false): string {
  const width = long ? "long" : "short";
  return new Intl.DateTimeFormat(undefined, {
    weekday: width, day: "numeric", month: width, hour: "2-digit", minute: "2-digit",
  }).format(new Date(iso));
}

/** The same as an ISO 8601 duration, for <time dateTime>. */
export function isoDuration(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  return `PT${Math.floor(total / 60)}M${total % 60}S`;
}
