/**
 * src/api-types.ts must be what `npm run gen:api` makes of the committed OpenAPI document
 * (../openapi.yaml, written from the Django code): otherwise the SPA and the API drifted.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "..");
const schema = resolve(root, "..", "openapi.yaml");

describe("generated API types", () => {
  it("are up to date with openapi.yaml (run `npm run gen:api`)", () => {
    const out = join(mkdtempSync(join(tmpdir(), "api-types-")), "api-types.ts");
    execFileSync(join(root, "node_modules", ".bin", "openapi-typescript"), [schema, "-o", out],
                 { cwd: root, stdio: "pipe" });
    const fresh = readFileSync(out, "utf8");
    const committed = readFileSync(join(root, "src", "api-types.ts"), "utf8");
    expect(committed === fresh, "src/api-types.ts is stale: run `npm run gen:api` in frontend/").toBe(true);
  });
});
