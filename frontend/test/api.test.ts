import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, newIdempotencyKey, send, svgBlob } from "../src/api";
import { getSession } from "../src/auth";
import { mockFetch, ok, problem, signedIn } from "./helpers";

beforeEach(() => sessionStorage.clear());
afterEach(() => vi.unstubAllGlobals());

describe("api.ts", () => {
  it("builds list queries without empty parameters", async () => {
    const calls = mockFetch(() => ok({ count: 0, next: null, previous: null, results: [] }));
    await api.shows({ q: "jazz", from: "2026-12-01", to: undefined });
    const url = new URL(calls[0].url);
    expect(url.pathname).toBe("/api/v1/shows/");
    expect(url.searchParams.get("q")).toBe("jazz");
    expect(url.searchParams.get("from")).toBe("2026-12-01");
    expect(url.searchParams.has("to")).toBe(false);
  });

  it("turns a problem response into an ApiError with its code and extras", async () => {
    mockFetch(() => problem(409, "sold_out", { seats_left: 1 }));
    const error = await api.show("x").catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(409);
    expect(error.code).toBe("sold_out");
    expect(error.problem.seats_left).toBe(1);
    expect(error.message).toBe("sold_out detail");
  });

  it("gives a stable code to an error that is not a problem document", async () => {
    mockFetch(() => new Response("<h1>Bad gateway</h1>", { status: 502, headers: { "Content-Type": "text/html" } }));
    const error = await api.infoPages().catch((e) => e);
    expect(error.code).toBe("server_error");
    expect(error.status).toBe(502);
  });

  it("reports a failed connection as code 'network'", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("Failed to fetch"); }));
    const error = await api.shows().catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe("network");
  });

  it("sends the bearer token and the Idempotency-Key when reserving", async () => {
    signedIn();
    const calls = mockFetch(() => ok({ id: "o1" }, 201));
    await api.reserve({ performance: 7, quantity: 2 }, "key-1");
    const headers = calls[0].init.headers as Record<string, string>;
    expect(calls[0].init.method).toBe("POST");
    expect(headers.Authorization).toBe("Bearer token-123");
    expect(headers["Idempotency-Key"]).toBe("key-1");
    expect(headers["Content-Type"]).toBe("application/json");
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ performance: 7, quantity: 2 });
  });

  it("pays an order with a payment method id, with the token", async () => {
    signedIn();
    const calls = mockFetch(() => ok({ id: "o1", status: "pending" }));
    await api.pay("o 1", "pm_123");
    const headers = calls[0].init.headers as Record<string, string>;
    expect(new URL(calls[0].url).pathname).toBe("/api/v1/tickets/o%201/pay/");
    expect(calls[0].init.method).toBe("POST");
    expect(headers.Authorization).toBe("Bearer token-123");
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ payment_method: "pm_123" });
  });

  it("a declined card is an ApiError card_declined with the bank's message", async () => {
    signedIn();
    mockFetch(() => problem(402, "card_declined", { detail: "Your card was declined." }));
    const error = await api.pay("o1", "pm_1").catch((e) => e);
    expect(error.status).toBe(402);
    expect(error.code).toBe("card_declined");
    expect(error.message).toBe("Your card was declined.");
  });

  it("refuses an authenticated call without a session, before any request", async () => {
    const calls = mockFetch(() => ok({}));
    const error = await api.orders().catch((e) => e);
    expect(error.code).toBe("session_expired");
    expect(calls).toHaveLength(0);
  });

  it("forgets an expired or revoked token on 401 and says session_expired", async () => {
    signedIn();
    mockFetch(() => problem(401, "invalid_token"));
    const error = await api.order("o1").catch((e) => e);
    expect(error.code).toBe("session_expired");
    expect(error.problem.serverCode).toBe("invalid_token");
    expect(getSession()).toBeNull();
  });

  it("a public 401 stays what the server said", async () => {
    mockFetch(() => problem(401, "not_authenticated"));
    const error = await send("/api/v1/shows/").catch((e) => e);
    expect(error.code).toBe("not_authenticated");
  });

  it("fetches a ticket's QR code as a blob, with the token", async () => {
    signedIn();
    const calls = mockFetch(() => new Response("<svg xmlns='http://www.w3.org/2000/svg'/>",
      { headers: { "Content-Type": "image/svg+xml" } }));
    const blob = await api.ticketQr("o 1", "ABC");
    expect(await blob.text()).toContain("<svg");
    expect(new URL(calls[0].url).pathname).toBe("/api/v1/tickets/o%201/tickets/ABC/qr.svg");
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe("Bearer token-123");
  });

  it("gives an SVG without a namespace one, so an <img> can show it", async () => {
    const bare = await svgBlob('<svg width="10" height="10"><path d="M0 0h1"/></svg>').text();
    expect(bare).toBe('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><path d="M0 0h1"/></svg>');
    const full = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>';
    expect(await svgBlob(full).text()).toBe(full);
    expect(svgBlob(full).type).toBe("image/svg+xml");
  });

  it("cancels with a POST to the order's cancel URL", async () => {
    signedIn();
    const calls = mockFetch(() => ok({ id: "o1", status: "cancelled" }));
    const order = await api.cancel("o1");
    expect(order.status).toBe("cancelled");
    expect(calls[0].init.method).toBe("POST");
    expect(new URL(calls[0].url).pathname).toBe("/api/v1/tickets/o1/cancel/");
  });

  it("joins, reads and leaves a performance's waiting list, with the token", async () => {
    signedIn();
    const entry = { performance: { id: 7 }, seats: 3, min_seats: 2, status: "waiting", position: 4 };
    const calls = mockFetch((_url, init) => (init.method === "DELETE" ? new Response(null, { status: 204 })
      : ok(entry, init.method === "POST" ? 201 : 200)));
    expect((await api.joinWaitlist(7, { seats: 3, min_seats: 2 })).position).toBe(4);
    expect((await api.waitlistEntry(7))?.position).toBe(4);
    await expect(api.leaveWaitlist(7)).resolves.toBeUndefined();
    expect(calls.map((c) => [c.init.method ?? "GET", new URL(c.url).pathname])).toEqual([
      ["POST", "/api/v1/performances/7/waitlist/"],
      ["GET", "/api/v1/performances/7/waitlist/"],
      ["DELETE", "/api/v1/performances/7/waitlist/"],
    ]);
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ seats: 3, min_seats: 2 });
    for (const call of calls) expect((call.init.headers as Record<string, string>).Authorization).toBe("Bearer token-123");
  });

  it("not on a waiting list (404) reads as null; other refusals stay errors", async () => {
    signedIn();
    mockFetch(() => problem(404, "not_found"));
    expect(await api.waitlistEntry(7)).toBeNull();
    mockFetch(() => problem(409, "already_waiting"));
    const error = await api.joinWaitlist(7, { seats: 1 }).catch((e) => e);
    expect(error.code).toBe("already_waiting");
    mockFetch(() => problem(503, "unavailable"));
    expect((await api.waitlistEntry(7).catch((e) => e)).code).toBe("unavailable");
  });

  it("lists the customer's waiting lists (a plain array)", async () => {
    signedIn();
    const calls = mockFetch(() => ok([{ performance: { id: 7 }, status: "offered", offer_order: "o1" }]));
    const entries = await api.myWaitlists();
    expect(entries[0].offer_order).toBe("o1");
    expect(new URL(calls[0].url).pathname).toBe("/api/v1/waitlist/");
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe("Bearer token-123");
  });

  it("makes a fresh idempotency key each time", () => {
    expect(newIdempotencyKey()).not.toBe(newIdempotencyKey());
    expect(newIdempotencyKey()).toMatch(/^[\x21-\x7e]{1,255}$/);
  });
});
