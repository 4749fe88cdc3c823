/** French and English (issue 26): the catalogue, the venue's formats, the switcher. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act } from "preact/test-utils";
import { App } from "../src/app";
import { dateTime, money, timeOfDay } from "../src/format";
import { language, loadCatalogue, setLanguage, t, tn } from "../src/i18n";
import { interceptLinks } from "../src/router";
import { mockFetch, mount, ok, signedIn, text, waitFor } from "./helpers";

const spaces = (s: string) => s.replace(/\s/g, " ");
// 19:30 on Saturday 12 December 2026, in the test's own time zone.
const evening = new Date(2026, 11, 12, 19, 30).toISOString();

let stopLinks: () => void;
beforeEach(() => { stopLinks = interceptLinks(document); });
afterEach(async () => {
  await mount(<p />); // the app goes before fetch is restored
  stopLinks();
  vi.unstubAllGlobals();
  localStorage.clear();
  sessionStorage.clear();
  await setLanguage("en", false);
});

describe("formats", () => {
  it("French: dates as « samedi 12 décembre 2026, 19 h 30 », money as « 65,00 € »", async () => {
    await setLanguage("fr", false);
    expect(dateTime(evening)).toBe("samedi 12 décembre 2026, 19 h 30");
    expect(timeOfDay(evening)).toBe("19 h 30");
    expect(spaces(money(6500, "EUR"))).toBe("65,00 €");
  });

  it("English: 24-hour times for the venue, money with its symbol", async () => {
    await setLanguage("en", false);
    expect(dateTime(evening)).toMatch(/^Saturday,? 12 December 2026, 19:30$/);
    expect(money(6500, "EUR")).toBe("€65.00");
  });
});

describe("catalogue", () => {
  it("translates, fills placeholders and falls back to English for an unknown string", async () => {
    await setLanguage("fr", false);
    expect(t("Sign in")).toBe("Se connecter");
    expect(t("From {price}", { price: "12 €" })).toBe("À partir de 12 €");
    expect(t("Not in the catalogue")).toBe("Not in the catalogue");
  });

  it("uses French plural rules: 0 and 1 are singular", async () => {
    await setLanguage("fr", false);
    expect(tn(0, "{n} ticket", "{n} tickets")).toBe("0 billet");
    expect(tn(2, "{n} ticket", "{n} tickets")).toBe("2 billets");
    await setLanguage("en", false);
    expect(tn(0, "{n} ticket", "{n} tickets")).toBe("0 tickets");
    expect(tn(1, "{n} ticket", "{n} tickets")).toBe("1 ticket");
  });
});

describe("switcher", () => {
  it("switches the whole app, remembers the choice and stores it on the signed-in account", async () => {
    await loadCatalogue("fr");
    signedIn();
    const calls = mockFetch((url) => {
      if (url.pathname === "/api/v1/me/language/") return ok({ language: "fr" });
      return ok({ count: 0, next: null, previous: null, results: [] });
    });
    history.replaceState(null, "", "/");
    const root = await mount(<App />);
    await waitFor(() => expect(text(root)).toContain("What's on"));
    const toggle = root.querySelector<HTMLButtonElement>(".language-switch")!;
    expect(toggle.textContent).toContain("Français");
    await act(async () => { toggle.click(); await Promise.resolve(); });
    await waitFor(() => expect(text(root)).toContain("À l'affiche"));
    expect(language()).toBe("fr");
    expect(document.documentElement.lang).toBe("fr");
    expect(localStorage.getItem("marquee.language")).toBe("fr");
    const put = calls.find((c) => c.url.endsWith("/api/v1/me/language/"));
    expect(put?.init.method).toBe("PUT");
    expect(JSON.parse(String(put?.init.body))).toEqual({ language: "fr" });
    // The API is asked in French from then on (problems, show content).
    const last = calls.filter((c) => c.url.includes("/api/v1/shows/")).at(-1)!;
    expect((last.init.headers as Record<string, string>)["Accept-Language"]).toBe("fr");
  });
});
