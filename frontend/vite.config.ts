/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// Build-time configuration only (VITE_AUTH_BASE, VITE_AUTH_CLIENT_ID): see src/config.ts.
export default defineConfig({
  plugins: [preact()],
  // `npm run dev` (hot reload) next to `make run`: the API and the local issuer stay Django's.
  server: {
    proxy: Object.fromEntries(["/api", "/dev-auth", "/media", "/admin", "/static"].map(
      (prefix) => [prefix, "http://127.0.0.1:8000"])),
  },
  build: {
    // Content-hashed names under assets/ (Vite's default), checked by test/budget.test.ts.
    target: "es2020",
    sourcemap: false,
  },
  test: {
    environment: "happy-dom",
    include: ["test/**/*.test.{ts,tsx}"],
    testTimeout: 60_000,
  },
});
