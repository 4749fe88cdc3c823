/** "Have a code?" (issue 24): a voucher's preview and a gift card's part before reserving. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { act } from "preact/test-utils";
import { ReserveForm } from "../src/views/ShowDetail";
import { button, mockFetch, mount, ok, problem, signedIn, text, waitFor } from "./helpers";

const PERFORMANCE = {
  id: 7, starts_at: "2030-01-01T20:00:00Z", venue: { name: "Hall", city: "Lyon" }, capacity: 100,
  seats_left: 50, price_cents: 3500, currency: "EUR", status: "on_sale", on_sale_at: null, sales_end_at: null,
  categories: [{ id: 1, name: "Full price", description: "", price_cents: 3500, max_per_order: null,
                 seats_left: 50, status: "on_sale" }],
  refund_policy: null,
} as never;

const PREVIEW = {
  code: "NEWSLETTER20", kind: "percent", value: 20, performance: 7, uses_left: null, max_per_order: null,
  categories: [{ id: 1, name: "Full price", price_cents: 3500, discount_cents: 700, hidden: false },
               { id: 2, name: "Friends", price_cents: 2000, discount_cents: 400, hidden: true }],
};

async function type(input: HTMLInputElement, value: string) {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

afterEach(() => { vi.unstubAllGlobals(); sessionStorage.clear(); });

describe("codes at checkout", () => {
  it("previews a voucher, offers the tariff it reveals and sends it with the reservation", async () => {
    signedIn();
    const calls = mockFetch((url) => {
      if (url.pathname === "/api/v1/vouchers/newsletter20/") return ok(PREVIEW);
      return problem(409, "sold_out", { seats_left: 0 });
    });
    const root = await mount(<ReserveForm performance={PERFORMANCE} onChange={() => {}} onError={() => {}} />);
    await act(() => button(root, "Have a code?").click());
    await type(root.querySelector<HTMLInputElement>("#codes-7-voucher")!, "newsletter20");
    await act(() => button(root, "Apply code").click());
    await waitFor(() => text(root).includes("€28.00 instead of €35.00"));
    expect(text(root)).toContain("Tariffs your code unlocks");
    expect(text(root)).toContain("Friends · €16.00");
    expect(text(root)).toContain("Reserve · €16.00");  // the revealed tariff is chosen
    await act(() => button(root, /^Reserve/).click());
    await waitFor(() => calls.some((c) => c.url.endsWith("/api/v1/tickets/")));
    const body = JSON.parse(String(calls.find((c) => c.url.endsWith("/api/v1/tickets/"))!.init.body));
    expect(body).toEqual({ performance: 7, lines: [{ category: 2, quantity: 1 }], voucher: "NEWSLETTER20" });
  });

  it("shows a gift card's part and what is left to pay, or why it cannot be used", async () => {
    signedIn();
    mockFetch((url) => url.pathname === "/api/v1/gift-cards/GOOD/"
      ? ok({ balance_cents: 2000, currency: "EUR", expires_at: "2030-01-01T00:00:00Z" })
      : problem(409, "gift_card_invalid"));
    const root = await mount(<ReserveForm performance={PERFORMANCE} onChange={() => {}} onError={() => {}} />);
    await act(() => button(root, "Have a code?").click());
    const field = root.querySelector<HTMLInputElement>("#codes-7-gift")!;
    await type(field, "WRONG");
    await act(() => button(root, "Apply gift card").click());
    await waitFor(() => root.querySelector(".field-error"));
    await type(field, "GOOD");
    await act(() => button(root, "Apply gift card").click());
    await waitFor(() => text(root).includes("€20.00 applied · €15.00 left to pay by card"));
  });
});

describe("estimateLines", () => {
  it("applies each category's discount, up to the voucher's seats per order", async () => {
    const { estimateLines } = await import("../src/views/Codes");
    const categories = [{ id: 1, price_cents: 3500 }, { id: 3, price_cents: 1000 }];
    const lines = [{ category: 1, quantity: 2 }, { category: 3, quantity: 1 }];
    expect(estimateLines(lines, categories, null)).toEqual({ total: 8000, discount: 0 });
    expect(estimateLines(lines, categories, PREVIEW as never)).toEqual({ total: 6600, discount: 1400 });
    expect(estimateLines(lines, categories, { ...PREVIEW, max_per_order: 1 } as never))
      .toEqual({ total: 7300, discount: 700 });
  });
});
