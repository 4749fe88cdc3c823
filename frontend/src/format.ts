/** Display formatting through Intl, in the visitor's language and the venue's formats:
 * "samedi 12 décembre 2026, 19 h 30" and "65,00 €" in French; "Saturday 12 December 2026,
 * 19:30" and "€65.00" in English (24-hour unless the venue says otherwise). */

import { VENUE_24_HOUR } from "./config";
import { language, locale, t, tn } from "./i18n";

export function money(cents: number | null | undefined, currency: string | null | undefined): string {
  if (cents === null || cents === undefined) return "";
  const cur = currency || "EUR";
  try {
    return new Intl.NumberFormat(locale(), { style: "currency", currency: cur }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${cur}`;
  }
}

function time(date: Date): string {
  const parts = new Intl.DateTimeFormat(locale(), {
    hour: "numeric", minute: "2-digit", hourCycle: language() === "fr" || VENUE_24_HOUR ? "h23" : "h12",
  }).formatToParts(date);
  if (language() !== "fr") return parts.map((p) => p.value).join("");
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("hour")} h ${part("minute")}`;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  const day = new Intl.DateTimeFormat(locale(), {
    weekday: "long", day: "numeric", month: "long", year: "numeric",
  }).format(date).replace(/ à$/, "");
  return `${day}, ${time(date)}`;
}

/** The time of day only (an offer's hold ends within the hour): "20 h 15", "20:15", "8:15 PM". */
export function timeOfDay(iso: string | null | undefined): string {
  if (!iso) return "";
  return time(new Date(iso));
}

export function fileSize(bytes: number): string {
  const number = (n: number, digits = 0) =>
    new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n);
  if (bytes < 1024) return t("{size} B", { size: number(bytes) });
  if (bytes < 1024 * 1024) return t("{size} KB", { size: number(Math.round(bytes / 1024)) });
  return t("{size} MB", { size: number(bytes / (1024 * 1024), 1) });
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
  return days ? `${tn(days, "{n} day", "{n} days")} ${hms}` : hms;
}

/** A day and time close enough to name by its weekday: "Fri 12 Jun, 18:00" (the visitor's
 * locale; `long`: "Friday 12 June at 10:00"). */
export function dayAndTime(iso: string, long = false): string {
  const width = long ? "long" : "short";
  const date = new Date(iso);
  const day = new Intl.DateTimeFormat(locale(), { weekday: width, day: "numeric", month: width })
    .format(date);
  return `${day}, ${time(date)}`;
}

/** The same as an ISO 8601 duration, for <time dateTime>. */
export function isoDuration(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  return `PT${Math.floor(total / 60)}M${total % 60}S`;
}
