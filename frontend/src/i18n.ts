/**
 * The SPA's languages: French and English, one small catalogue mechanism of our own.
 *
 * Every string a person reads goes through `t("English text", { vars })` or
 * `tn(n, "one", "many")` with a double-quoted literal: `make messages` (languages/catalogues.py)
 * extracts them into `locales/fr.json` (English → French), and a test in `make test` lists
 * every literal with no French. Placeholders are `{name}`.
 *
 * The language: the one the visitor chose (the switcher, kept in localStorage and on the
 * customer through the API, so emails follow it), else the browser's first of fr/en, else
 * the venue's. The API is asked in it too (`Accept-Language`, api.ts).
 *
 * The French catalogue is its own chunk, fetched before the first render in French (and on
 * a switch), so the initial bundle carries no catalogue (test/budget.test.ts).
 */

import { VENUE_LANGUAGE } from "./config";

export type Language = "fr" | "en";
export const LANGUAGES: Record<Language, string> = { fr: "Français", en: "English" };
const STORAGE_KEY = "marquee.language";
const CATALOGUES: Partial<Record<Language, Record<string, string>>> = { en: {} };

/** Fetches the language's catalogue once (English needs none). */
export async function loadCatalogue(which: Language): Promise<void> {
  if (!CATALOGUES[which]) CATALOGUES[which] = (await import("./locales/fr.json")).default;
}

function supported(code: string | null | undefined): Language | null {
  const base = (code || "").slice(0, 2).toLowerCase();
  return base === "fr" || base === "en" ? base : null;
}

function stored(): Language | null {
  try { return supported(localStorage.getItem(STORAGE_KEY)); } catch { return null; }
}

export function detectLanguage(): Language {
  const browser = typeof navigator === "undefined" ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];
  return stored() ?? browser.map(supported).find((l) => l !== null) ?? supported(VENUE_LANGUAGE) ?? "fr";
}

let current: Language = detectLanguage();
const listeners = new Set<(language: Language) => void>();
if (typeof document !== "undefined") document.documentElement.lang = current;

export function language(): Language {
  return current;
}

/** The BCP 47 locale for Intl: the venue's formats (fr-FR, en-GB). */
export function locale(): string {
  return current === "fr" ? "fr-FR" : "en-GB";
}

/** Switch language (the switcher): remembered on this device; the app re-renders. */
export async function setLanguage(next: Language, remember = true): Promise<void> {
  if (remember) {
    try { localStorage.setItem(STORAGE_KEY, next); } catch { /* private mode: this visit only */ }
  }
  await loadCatalogue(next);
  if (next === current) return;
  current = next;
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

export function onLanguageChange(listener: (language: Language) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function t(text: string, vars?: Record<string, string | number>): string {
  const translated = CATALOGUES[current]?.[text] || text;
  return vars ? translated.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m)) : translated;
}

/** A count with its noun: French uses the singular for 0 and 1, English only for 1. */
export function tn(n: number, one: string, many: string, vars?: Record<string, string | number>): string {
  const singular = current === "fr" ? n < 2 : n === 1;
  return t(singular ? one : many, { n, ...vars });
}
