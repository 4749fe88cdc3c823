/** The SPA's routes and project/spa.py's CLIENT_ROUTES (served with 200, others 404) agree. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../src/app";
import { mockFetch, mount, ok, text } from "./helpers";

const spaPy = readFileSync(resolve(__dirname, "..", "..", "project", "spa.py"), "utf8");
const pattern = /CLIENT_ROUTES = re\.compile\(r"([^"]+)"\)/.exec(spaPy)?.[1];
const serverRoutes = new RegExp(`^(?:${pattern})$`);

const ROUTES = ["/", "/shows/the-tempest", "/tickets", "/tickets/0d6c7a9e", "/info", "/info/visit",
                "/gift-cards", "/auth/callback"];
const NOT_ROUTES = ["/nope", "/shows/a/b", "/tickets/a/b", "/favicon.ico"];

afterEach(() => vi.unstubAllGlobals());

describe("client routes", () => {
  it("project/spa.py declares CLIENT_ROUTES", () => expect(pattern).toBeTruthy());

  it.each(ROUTES)("%s is a route of both", async (path) => {
    expect(serverRoutes.test(path.slice(1))).toBe(true);
    // One body that fits every view's fetch: a list page and the detail shapes' arrays.
    mockFetch(() => ok({ count: 0, next: null, previous: null, results: [], attachments: [],
                         performances: [], tickets: [], body_html: "" }));
    history.replaceState(null, "", path);
    const root = await mount(<App />);
    expect(text(root)).not.toContain("Page not found");
  });

  it.each(NOT_ROUTES)("%s is a route of neither", async (path) => {
    expect(serverRoutes.test(path.slice(1))).toBe(false);
    mockFetch(() => ok({}));
    history.replaceState(null, "", path);
    const root = await mount(<App />);
    expect(text(root)).toContain("Page not found");
  });
});
