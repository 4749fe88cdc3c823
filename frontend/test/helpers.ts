import { render } from "preact";
import type { VNode } from "preact";
import { act } from "preact/test-utils";
import { vi } from "vitest";

export interface Call { url: string; init: RequestInit }

export function problem(status: number, code: string, extra: Record<string, unknown> = {}): Response {
  return new Response(JSON.stringify({ type: "about:blank", title: code, status, detail: `${code} detail`, code, ...extra }),
                      { status, headers: { "Content-Type": "application/problem+json" } });
}

export function ok(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** Replaces fetch with a router of handlers; records every call. */
export function mockFetch(handler: (url: URL, init: RequestInit) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), location.href);
    calls.push({ url: url.toString(), init });
    return handler(url, init);
  });
  vi.stubGlobal("fetch", fn);
  return calls;
}

let mounted: HTMLElement | null = null;

/** Renders into a fresh root, unmounting the previous one (its listeners included). */
export async function mount(vnode: VNode): Promise<HTMLElement> {
  if (mounted) { const old = mounted; await act(() => { render(null, old); }); }
  const root = document.createElement("div");
  mounted = root;
  document.body.innerHTML = "";
  document.body.appendChild(root);
  await act(() => { render(vnode, root); });
  return root;
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await act(async () => { await new Promise((r) => setTimeout(r, 0)); });
}

export async function waitFor<T>(check: () => T | null | undefined | false, timeout = 2000): Promise<T> {
  const start = Date.now();
  for (;;) {
    await flush();
    const value = check();
    if (value) return value;
    if (Date.now() - start > timeout) throw new Error("waitFor timed out:\n" + document.body.innerHTML);
  }
}

export function signedIn(email = "ana@example.com", expiresInMs = 3_600_000): void {
  sessionStorage.setItem("marquee.session", JSON.stringify({
    accessToken: "token-123", expiresAt: Date.now() + expiresInMs, email }));
}

export function text(root: HTMLElement): string {
  return root.textContent || "";
}

export function button(root: HTMLElement, label: string | RegExp): HTMLButtonElement {
  const found = [...root.querySelectorAll("button")].find((b) =>
    typeof label === "string" ? b.textContent?.trim() === label : label.test(b.textContent || ""));
  if (!found) throw new Error(`no button ${label} in:\n${root.innerHTML}`);
  return found;
}

/** A performance's refund rule: full refund until the start (the API's default). */
export const UNTIL_START = {
  customer_may_cancel: true, cancel_until: "2030-05-01T19:30:00Z", hours_before: 0,
  fee_fixed_cents: 0, fee_percent: "0.00",
};

/**
 * What a performance carries since issue 21: one "Full price" category (id = performance id
 * × 10) holding all its seats, sales times, the refund rule.
 */
export function salesFields(id: number, status: string, seats_left: number, price_cents = 3500) {
  return {
    on_sale_at: null, sales_end_at: "2030-05-01T19:30:00Z", refund_policy: UNTIL_START,
    categories: [{ id: id * 10, name: "Full price", description: "", price_cents, max_per_order: null,
                   seats_left, status: status === "on_sale" && seats_left === 0 ? "sold_out" : status }],
  };
}
