/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// Build-time configuration only (VITE_AUTH_BASE, VITE_AUTH_CLIENT_ID): see src/config.ts.
export default defineConfig({
  plugins: [preact()],
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
