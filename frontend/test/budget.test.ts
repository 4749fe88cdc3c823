/**
 * The production build's budget (issue 6): initial JavaScript ≤ 30 KB gzipped, CSS ≤ 10 KB
 * gzipped, every asset content-hashed. Checks frontend/dist, building it when missing.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";

const root = resolve(__dirname, "..");
const dist = join(root, "dist");
const KB = 1024;

beforeAll(() => {
  if (!existsSync(join(dist, "index.html"))) {
    // A real production build: Vitest's NODE_ENV=test would pull in Preact's debug code.
    execFileSync(join(root, "node_modules", ".bin", "vite"), ["build"],
                 { cwd: root, stdio: "pipe", env: { ...process.env, NODE_ENV: "production" } });
  }
}, 120_000);

function gz(file: string): number {
  return gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
}

/** What index.html makes the browser fetch before first render. */
function initial(kind: "js" | "css"): string[] {
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const pattern = kind === "js"
    ? /<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/([^"]+\.js)"/g
    : /<link[^>]*rel="stylesheet"[^>]*\bhref="\/([^"]+\.css)"/g;
  return [...html.matchAll(pattern)].map((m) => m[1]);
}

describe("production build budget", () => {
  it("keeps initial JavaScript within 30 KB and CSS within 10 KB gzipped", () => {
    const js = initial("js");
    const css = initial("css");
    expect(js.length).toBeGreaterThan(0);
    const jsBytes = js.reduce((sum, f) => sum + gz(f), 0);
    const cssBytes = css.reduce((sum, f) => sum + gz(f), 0);
    console.log(`bundle budget: initial JS ${(jsBytes / KB).toFixed(1)} KB gzip (limit 30), ` +
                `CSS ${(cssBytes / KB).toFixed(1)} KB gzip (limit 10) — ${[...js, ...css].join(", ")}`);
    expect(jsBytes).toBeLessThanOrEqual(30 * KB);
    expect(cssBytes).toBeLessThanOrEqual(10 * KB);
  });

  it("content-hashes every asset and references only hashed files", () => {
    const assets = readdirSync(join(dist, "assets"));
    expect(assets.length).toBeGreaterThan(0);
    for (const name of assets) expect(name).toMatch(/-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/);
    for (const ref of [...initial("js"), ...initial("css")]) {
      expect(ref.startsWith("assets/")).toBe(true);
      expect(assets).toContain(ref.slice("assets/".length));
    }
  });
});
