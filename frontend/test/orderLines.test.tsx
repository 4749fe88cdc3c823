/** Orders with lines (issue 21): the categories bought, each ticket's QR code labelled with
 * its category, and cancelling under a refund rule (the fee, the deadline). */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act } from "preact/test-utils";
import { App } from "../src/app";
import { dayAndTime } from "../src/format";
import { interceptLinks } from "../src/router";
import { installFakeStripe } from "./fakeStripe";
import { button, mockFetch, mount, ok, signedIn, text, waitFor } from "./helpers";

const ID = "0d6c7a9e-1111-4222-8333-444455556666";
const venue = { name: "Grand Théâtre", city: "Lyon" };
const show = { slug: "the-tempest", title: "The Tempest" };
const FULL = { id: 11, name: "Full price" };
const REDUCED = { id: 12, name: "Reduced" };
const payment = (fields = {}) => ({
  provider: "stripe", status: "succeeded", amount_cents: 9450, currency: "EUR", refunded_cents: 0,
  publishable_key: "pk_test", js_url: "https://js.example/v3/", client_secret: null,
  setup_client_secret: null, last_error: null, refund_reason: null, ...fields,
});
const order = (fields: Record<string, unknown> = {}) => ({
  id: ID, status: "confirmed", quantity: 3, total_cents: 9450, currency: "EUR",
  created_at: "2030-04-01T10:00:00Z", expires_at: null,
  performance: { id: 1, starts_at: "2030-05-01T19:30:00Z", venue, show },
  lines: [{ category: FULL, quantity: 2, unit_price_cents: 3500 },
          { category: REDUCED, quantity: 1, unit_price_cents: 2450 }],
  tickets: [{ code: "AAAA2222", category: FULL, checked_in_at: null },
            { code: "BBBB3333", category: FULL, checked_in_at: null },
            { code: "CCCC4444", category: REDUCED, checked_in_at: null }],
  payment: payment(), ...fields,
});
const rule = (fields = {}) => ({ customer_may_cancel: true, cancel_until: "2030-05-01T17:30:00Z",
                                 hours_before: 2, fee_fixed_cents: 200, fee_percent: "0.00", ...fields });

function server(policy = rule(), cancelled: Record<string, unknown> = {}) {
  return mockFetch((url, init) => {
    if (url.pathname.endsWith("qr.svg")) return new Response("<svg/>", { headers: { "Content-Type": "image/svg+xml" } });
    if (url.pathname === "/api/v1/performances/1/") {
      return ok({ id: 1, starts_at: "2030-05-01T19:30:00Z", refund_policy: policy, show });
    }
    if (url.pathname === `/api/v1/tickets/${ID}/cancel/` && init.method === "POST") {
      return ok(order({ status: "cancelled", refund_cents: 9250, fee_cents: 200,
                        payment: payment({ status: "refunded", refunded_cents: 9250, refund_reason: "requested_by_customer" }),
                        ...cancelled }));
    }
    return ok(order());
  });
}

async function visit(path: string) {
  history.replaceState(null, "", path);
  return mount(<App />);
}

let stopLinks: () => void;
beforeEach(() => {
  sessionStorage.clear();
  signedIn();
  stopLinks = interceptLinks(document);
  vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: vi.fn(() => "blob:qr"), revokeObjectURL: vi.fn() }));
});
afterEach(() => { stopLinks(); vi.unstubAllGlobals(); });

describe("an order's lines", () => {
  it("lists each category × quantity × price, and labels each QR code with its category", async () => {
    server();
    const root = await visit(`/tickets/${ID}?reserved=1`);
    await waitFor(() => root.querySelectorAll("img.qr").length === 3);
    expect(text(root)).toContain("Reserved: 3 tickets (2 Full price, 1 Reduced).");
    const rows = [...root.querySelectorAll(".order-line")].map((r) => [r.querySelector("dt")!.textContent, r.querySelector("dd")!.textContent]);
    expect(rows).toEqual([["Full price", "2 × €35.00"], ["Reduced", "1 × €24.50"]]);
    const labels = [...root.querySelectorAll(".ticket .ticket-category")].map((p) => p.textContent);
    expect(labels).toEqual(["Full price", "Full price", "Reduced"]);
    expect(root.querySelectorAll("img.qr")[2].getAttribute("alt")).toBe("QR code for ticket CCCC4444, Reduced");
  });

  it("the payment step sums up the lines", async () => {
    const pending = order({ status: "pending", expires_at: new Date(Date.now() + 600_000).toISOString(), tickets: [],
                            payment: payment({ status: "requires_payment_method", client_secret: "pi_secret", setup_client_secret: "seti_secret" }) });
    mockFetch(() => ok(pending));
    installFakeStripe();
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => root.querySelector(".summary"));
    const summary = text(root.querySelector(".summary")!);
    expect(summary).toContain("Full price2 × €35.00");
    expect(summary).toContain("Reduced1 × €24.50");
    expect(summary).toContain("€94.50");
  });
});

describe("cancelling under a refund rule", () => {
  it("says the refund less the fee before, and what was kept after", async () => {
    const calls = server();
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => root.querySelectorAll("img.qr").length === 3);
    await act(() => button(root, "Cancel order").click());
    await waitFor(() => text(root).includes("is refunded to your card"));
    expect(text(root.querySelector(".confirm")!)).toContain(
      "Cancel 3 tickets? The seats go back on sale and €92.50 is refunded to your card (€94.50 paid, less a €2.00 cancellation fee).");
    expect(calls.some((c) => new URL(c.url).pathname === "/api/v1/performances/1/")).toBe(true);
    await act(() => button(root, "Yes, cancel").click());
    await waitFor(() => text(root).includes("This order is cancelled"));
    expect(text(root)).toContain("€92.50 refunded to your card (cancelled at your request).");
    expect(text(root)).toContain("A cancellation fee of €2.00 was kept, as its refund rule says.");
  });

  it("past the deadline, or with no cancellation at all, there is nothing to confirm", async () => {
    server(rule({ cancel_until: "2020-01-01T10:00:00Z" }));
    let root = await visit(`/tickets/${ID}`);
    await waitFor(() => root.querySelectorAll("img.qr").length === 3);
    await act(() => button(root, "Cancel order").click());
    await waitFor(() => text(root).includes("can no longer be cancelled"));
    expect(text(root)).toContain(`its refund rule allowed it until ${dayAndTime("2020-01-01T10:00:00Z")}`);
    expect(root.querySelectorAll(".confirm button")).toHaveLength(1);
    expect(document.activeElement).toBe(button(root, "Keep my tickets"));

    server(rule({ customer_may_cancel: false, cancel_until: null }));
    root = await visit(`/tickets/${ID}`);
    await waitFor(() => root.querySelectorAll("img.qr").length === 3);
    await act(() => button(root, "Cancel order").click());
    await waitFor(() => text(root).includes("its refund rule does not allow it"));
  });

  it("a refund on its way is the order's refund, not the whole payment", async () => {
    mockFetch((url) => (url.pathname.endsWith("qr.svg") ? new Response("<svg/>") : ok(order({
      status: "cancelled", refund_cents: 9250, fee_cents: 200, payment: payment({ status: "refund_due" }) }))));
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => text(root).includes("This order is cancelled"));
    expect(text(root)).toContain("A refund of €92.50 to your card is on its way.");
    expect(text(root)).toContain("A cancellation fee of €2.00 was kept");
  });
});
