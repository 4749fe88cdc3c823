/** "Have a code?" (issue 24): a voucher's preview and a gift card's part before reserving. */
import axe from "axe-core";
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
  categories: [{ id: 1, name: "Full price", description: "", price_cents: 3500, discount_cents: 700, hidden: false,
                 max_per_order: null, seats_left: 50 },
               { id: 2, name: "Friends", description: "", price_cents: 2000, discount_cents: 400, hidden: true,
                 max_per_order: null, seats_left: 50 }],
};

/** A code that discounts nothing visible and reveals two hidden tariffs, one with limits. */
const FRIENDS = {
  code: "FRIENDS2026X", kind: "percent", value: 50, performance: 7, uses_left: null, max_per_order: null,
  categories: [{ id: 1, name: "Full price", description: "", price_cents: 3500, discount_cents: 0, hidden: false,
                 max_per_order: null, seats_left: 50 },
               { id: 2, name: "Friends", description: "Members' card at the door.", price_cents: 2000,
                 discount_cents: 1000, hidden: true, max_per_order: 2, seats_left: 50 },
               { id: 3, name: "Crew", description: "", price_cents: 1000, discount_cents: 500, hidden: true,
                 max_per_order: null, seats_left: 1 }],
};

const field = (root: HTMLElement, id: number) => root.querySelector<HTMLInputElement>(`#qty-7-${id}`);
const row = (root: HTMLElement, id: number) => root.querySelector(`[data-category='${id}']`) as HTMLElement;
const more = (root: HTMLElement, id: number) => act(() => button(row(root, id), /^\+$/).click());
const total = (root: HTMLElement) => text(root.querySelector(".reserve-total")!);
const reserveBody = (calls: { url: string; init: RequestInit }[]) =>
  JSON.parse(String(calls.find((c) => c.url.endsWith("/api/v1/tickets/"))!.init.body));

async function type(input: HTMLInputElement, value: string) {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

afterEach(() => { vi.unstubAllGlobals(); sessionStorage.clear(); });

describe("codes at checkout", () => {
  it("previews a voucher's discount and sends the code with the reservation", async () => {
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
    // The revealed tariff is one more stepper, at its price with the code; none of it yet.
    expect(text(root.querySelector("[role=status].code-result")!)).toContain("Your code unlocks: Friends");
    expect(text(row(root, 2))).toContain("€16.00");
    expect(field(root, 2)!.value).toBe("0");
    expect(total(root)).toBe("Total: 1 ticket · €28.00");
    expect(text(root)).toContain("Reserve · €28.00");
    await act(() => button(root, /^Reserve/).click());
    await waitFor(() => calls.some((c) => c.url.endsWith("/api/v1/tickets/")));
    expect(reserveBody(calls)).toEqual({ performance: 7, lines: [{ category: 1, quantity: 1 }], voucher: "NEWSLETTER20" });
  });

  it("offers each hidden tariff a code reveals as a stepper, mixed with the visible ones", async () => {
    signedIn();
    const calls = mockFetch((url) => {
      if (url.pathname === "/api/v1/vouchers/friends2026x/") return ok(FRIENDS);
      if (url.pathname.startsWith("/api/v1/vouchers/")) return problem(409, "voucher_invalid");
      return problem(409, "sold_out", { seats_left: 0 });
    });
    const root = await mount(<ReserveForm performance={PERFORMANCE} onChange={() => {}} onError={() => {}} />);
    expect(row(root, 2)).toBeNull();
    await act(() => button(root, "Have a code?").click());
    const code = root.querySelector<HTMLInputElement>("#codes-7-voucher")!;
    await type(code, "friends2026x");
    await act(() => button(root, "Apply code").click());
    await waitFor(() => field(root, 3));
    const status = root.querySelector<HTMLElement>("[role=status].code-result")!;
    expect(text(status)).toContain("Friends €10.00 instead of €20.00, Crew €5.00 instead of €10.00");
    expect(text(status.querySelector<HTMLElement>(".code-unlocks")!)).toBe("Your code unlocks: Friends, Crew");
    // Labelled and described as the visible rows are: name, price with the code, the hint.
    expect(root.querySelector("label[for='qty-7-2']")!.textContent).toBe("Friends");
    expect(text(row(root, 2))).toContain("€10.00");
    expect(text(row(root, 3))).toContain("€5.00");
    expect(field(root, 2)!.getAttribute("aria-describedby")).toBe("qty-7-2-price qty-7-2-note qty-7-2-desc");
    expect(text(root.querySelector("#qty-7-2-note")!)).toBe("Unlocked by your code");
    expect(text(row(root, 2))).toContain("Members' card at the door.");
    expect(text(row(root, 3))).toContain("Only 1 left");
    const results = await axe.run(root, { runOnly: ["wcag2a", "wcag2aa"] });
    expect(results.violations.map((v) => v.id)).toEqual([]);

    // Their own limits: Friends 2 per order, Crew 1 seat left.
    await more(root, 2);
    await more(root, 2);
    await more(root, 2);
    expect(field(root, 2)!.value).toBe("2");
    expect(text(row(root, 2))).toContain("At most 2 per order.");
    await act(() => button(row(root, 2), /^−$/).click());
    await more(root, 3);
    await more(root, 3);
    expect(field(root, 3)!.value).toBe("1");
    // 1 standard €35.00 + 1 Friends €10.00 + 1 Crew €5.00.
    expect(total(root)).toBe("Total: 3 tickets · €50.00");
    expect(button(root, /^Reserve/).textContent).toBe("Reserve · €50.00");
    await act(() => button(root, /^Reserve/).click());
    await waitFor(() => calls.some((c) => c.url.endsWith("/api/v1/tickets/")));
    expect(reserveBody(calls)).toEqual({
      performance: 7, voucher: "FRIENDS2026X",
      lines: [{ category: 1, quantity: 1 }, { category: 2, quantity: 1 }, { category: 3, quantity: 1 }] });

    // Removing the code takes its tariffs and their seats out of the basket; the same code
    // applied again starts them at none.
    await act(() => button(root, "Remove code").click());
    expect(row(root, 2)).toBeNull();
    expect(row(root, 3)).toBeNull();
    expect(total(root)).toBe("Total: 1 ticket · €35.00");
    expect(text(root.querySelector("[role=status].code-result")!)).toBe("Code removed.");
    expect(document.activeElement).toBe(code);
    await type(code, "friends2026x");
    await act(() => button(root, "Apply code").click());
    await waitFor(() => field(root, 2));
    expect(field(root, 2)!.value).toBe("0");
    await more(root, 2);
    expect(total(root)).toBe("Total: 2 tickets · €45.00");
    // A code that fails its preview removes them too.
    await type(code, "wrongcode");
    await act(() => button(root, "Apply code").click());
    await waitFor(() => root.querySelector("#codes-7-voucher-error"));
    expect(row(root, 2)).toBeNull();
    expect(total(root)).toBe("Total: 1 ticket · €35.00");
  });

  it("reads the revealed tariffs' seats left again when a reservation is refused", async () => {
    signedIn();
    let previews = 0;
    const calls = mockFetch((url) => {
      if (url.pathname.toLowerCase() === "/api/v1/vouchers/friends2026x/") { // any case, as the server
        previews += 1;
        if (previews === 1) return ok(FRIENDS);
        // Crew sold out meanwhile.
        return ok({ ...FRIENDS, categories: FRIENDS.categories.map((c) => (c.id === 3 ? { ...c, seats_left: 0 } : c)) });
      }
      return problem(409, "category_sold_out", { category: 3 });
    });
    const reloads = vi.fn();
    const root = await mount(<ReserveForm performance={PERFORMANCE} onChange={reloads} onError={() => {}} />);
    await act(() => button(root, "Have a code?").click());
    await type(root.querySelector<HTMLInputElement>("#codes-7-voucher")!, "friends2026x");
    await act(() => button(root, "Apply code").click());
    await waitFor(() => field(root, 3));
    await more(root, 3);
    expect(field(root, 3)!.value).toBe("1");
    await act(() => button(root, /^Reserve/).click());
    await waitFor(() => previews === 2 && field(root, 3)!.value === "0");
    expect(reloads).toHaveBeenCalledTimes(1);
    expect(text(row(root, 3))).toMatch(/sold out/i);
    expect(calls.filter((c) => c.url.endsWith("/api/v1/tickets/"))).toHaveLength(1);
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

  it("discounts the dearest seats in the code's scope first, as the server does", async () => {
    const { estimateLines } = await import("../src/views/Codes");
    // The standard seat (no discount) comes first but takes none of the one discounted seat.
    const lines = [{ category: 1, quantity: 1 }, { category: 3, quantity: 1 }, { category: 2, quantity: 1 }];
    const oneSeat = { ...FRIENDS, max_per_order: 1 } as never;
    expect(estimateLines(lines, [], oneSeat)).toEqual({ total: 3500 + 1000 + 2000 - 1000, discount: 1000 });
    expect(estimateLines(lines, [], FRIENDS as never)).toEqual({ total: 3500 + 1000 + 500, discount: 1500 });
  });
});
