import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act } from "preact/test-utils";
import axe from "axe-core";
import { SeatMap, mySeats, neighbour, seatsOf, takenSet, zoneCategories } from "../src/views/SeatMap";
import { waitingRoomTiming } from "../src/views/ShowDetail";
import type { Layout, OrderPage, Performance } from "../src/api";
import { button, mockFetch, mount, ok, problem, signedIn, text, waitFor } from "./helpers";

// Two rows of four; seat 2 of row A is taken.
const layout: Layout = {
  id: 7, name: "Main", venue: { name: "Odeon", city: "Lyon" }, sections: ["Stalls"], zones: ["a", "b"],
  seats: {
    id: [11, 12, 13, 14, 21, 22, 23, 24], section: [0, 0, 0, 0, 0, 0, 0, 0],
    row: ["A", "A", "A", "A", "B", "B", "B", "B"], number: ["1", "2", "3", "4", "1", "2", "3", "4"],
    x: [0, 10, 20, 30, 0, 10, 20, 30], y: [0, 0, 0, 0, 10, 10, 10, 10],
    zone: [0, 0, 0, 0, 1, 1, 1, 1], flags: [0, 0, 0, 0, 1, 0, 0, 4],
  },
};
const availability = (takenByte = 0b0100_0000) => ({
  performance: 5, layout: 7, layout_version: 1, seats: 8, taken: btoa(String.fromCharCode(takenByte)),
  seats_left: 7, currency: "EUR",
  zones: [{ zone: "a", category: { id: 1, name: "Stalls" }, price_cents: 3000 },
          { zone: "b", category: { id: 2, name: "Rear" }, price_cents: 2000 }],
});
const performance = { id: 5, layout: 7, status: "on_sale", currency: "EUR" } as unknown as Performance;

const seat = (root: HTMLElement, id: number) => root.querySelector(`[data-seat="${id}"]`) as SVGElement;
const key = async (root: HTMLElement, k: string) => {
  await act(() => { root.querySelector("svg.seat-map")!.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true })); });
};

beforeEach(() => signedIn());
afterEach(() => { vi.unstubAllGlobals(); sessionStorage.clear(); });

describe("seat map helpers", () => {
  it("reads the bitmap most significant bit first", () => {
    expect([...takenSet(btoa(String.fromCharCode(0b1000_0001, 0b1000_0000)), 9)]).toEqual([0, 7, 8]);
  });
  it("moves along the row and to the nearest seat of the next row", () => {
    const seats = seatsOf(layout);
    expect(neighbour(seats, seats[0], "ArrowRight")?.id).toBe(12);
    expect(neighbour(seats, seats[0], "ArrowLeft")).toBeNull();
    expect(neighbour(seats, seats[2], "ArrowDown")?.id).toBe(23);
  });
});

describe("SeatMap", () => {
  it("selects two seats by mouse and keyboard, announces them and reserves them", async () => {
    const bodies: unknown[] = [];
    mockFetch((url, init) => {
      if (url.pathname.endsWith("/seats/")) return ok(availability());
      if (url.pathname.startsWith("/api/v1/layouts/")) return ok(layout);
      if (url.pathname === "/api/v1/tickets/" && init.method === "POST") { bodies.push(JSON.parse(String(init.body))); return ok({ id: "abc" }, 201); }
      return problem(404, "not_found");
    });
    const root = await mount(<SeatMap performance={performance} onChange={() => {}} />);
    await waitFor(() => seat(root, 11));
    expect(text(root)).toContain("Stalls · €30.00");
    expect(seat(root, 12).getAttribute("aria-label")).toContain("taken");
    expect(seat(root, 24).getAttribute("aria-label")).toContain("restricted view");
    await act(() => { seat(root, 13).dispatchEvent(new MouseEvent("click", { bubbles: true })); });
    expect(seat(root, 13).getAttribute("aria-selected")).toBe("true");
    await key(root, "ArrowRight");   // 13 → 14
    await key(root, "Enter");
    expect(seat(root, 14).getAttribute("aria-selected")).toBe("true");
    expect(root.querySelector("[aria-live]")!.textContent).toContain("Stalls, row A, seat 4 selected. 2 seats selected.");
    await act(() => { seat(root, 12).dispatchEvent(new MouseEvent("click", { bubbles: true })); });
    expect(seat(root, 12).getAttribute("aria-selected")).toBe("false"); // taken: not selectable
    const results = await axe.run(root, { runOnly: ["wcag2a", "wcag2aa"] });
    expect(results.violations.map((v) => v.id)).toEqual([]);
    await act(() => { button(root, /Reserve 2 seats selected/).click(); });
    await waitFor(() => bodies.length);
    expect(bodies[0]).toEqual({ performance: 5, seats: [13, 14] });
  });

  it("says which seat was taken meanwhile and redraws the map", async () => {
    let taken = 0b0100_0000;
    mockFetch((url) => {
      if (url.pathname.endsWith("/seats/")) return ok(availability(taken));
      if (url.pathname.startsWith("/api/v1/layouts/")) return ok(layout);
      taken = 0b0110_0000;
      return problem(409, "seat_taken", { seats: [13] });
    });
    const root = await mount(<SeatMap performance={performance} onChange={() => {}} />);
    await waitFor(() => seat(root, 13));
    await act(() => { seat(root, 13).dispatchEvent(new MouseEvent("click", { bubbles: true })); });
    await act(() => { button(root, /Reserve 1 seat selected/).click(); });
    const alert = await waitFor(() => root.querySelector(".seat-taken-message"));
    expect(alert.textContent).toContain("Stalls, row A, seat 3 was just taken by someone else");
    await waitFor(() => seat(root, 13)?.getAttribute("aria-label")?.includes("taken"));
  });

  it("in an announced on-sale, queues in the waiting room, then reserves the seats at its turn", async () => {
    waitingRoomTiming.scale = 0.001;
    const admissions: (string | null)[] = [];
    const standings = [
      { performance: 5, number: 3, position: 2, estimate_seconds: 90, admitted: false, admission: null,
        admission_expires_at: null, retry_after_seconds: 1000 },  // 1 s: read before the next ask
      { performance: 5, number: 3, position: 0, estimate_seconds: 0, admitted: true, admission: "adm-3",
        admission_expires_at: "2030-01-01T00:00:00Z", retry_after_seconds: 0 },
    ];
    mockFetch((url, init) => {
      if (url.pathname.endsWith("/seats/")) return ok(availability());
      if (url.pathname.startsWith("/api/v1/layouts/")) return ok(layout);
      if (url.pathname.endsWith("/waiting-room/")) return ok(standings.shift());
      if (url.pathname === "/api/v1/tickets/" && init.method === "POST") {
        const admission = (init.headers as Record<string, string>).Admission ?? null;
        admissions.push(admission);
        return admission === "adm-3" ? ok({ id: "abc" }, 201) : problem(403, "admission_required");
      }
      return problem(404, "not_found");
    });
    try {
      const root = await mount(<SeatMap performance={performance} onChange={() => {}} />);
      await waitFor(() => seat(root, 13));
      await act(() => { seat(root, 13).dispatchEvent(new MouseEvent("click", { bubbles: true })); });
      await act(() => { button(root, /Reserve 1 seat selected/).click(); });
      const room = await waitFor(() => root.querySelector(".waiting-room"));
      expect(room.textContent).toContain("number 2 in line");
      expect(root.querySelector("[role=alert]")).toBeNull();  // a place in line, not an error
      await waitFor(() => admissions.length === 2);
      expect(admissions).toEqual([null, "adm-3"]);
    } finally {
      waitingRoomTiming.scale = 1;
    }
  });
  it("takes a voucher and a gift card as the category form does, and sends them with the seats", async () => {
    const bodies: unknown[] = [];
    const preview = {
      code: "NEWSLETTER20", kind: "percent", value: 20, performance: 5, uses_left: null, max_per_order: null,
      categories: [
        { id: 1, name: "Stalls", description: "", price_cents: 3000, discount_cents: 600, hidden: false, max_per_order: null, seats_left: 40 },
        { id: 2, name: "Rear", description: "", price_cents: 2000, discount_cents: 400, hidden: false, max_per_order: null, seats_left: 40 },
        { id: 9, name: "Friends", description: "", price_cents: 1000, discount_cents: 0, hidden: true, max_per_order: null, seats_left: 40 }],
    };
    mockFetch((url, init) => {
      if (url.pathname.endsWith("/seats/")) return ok(availability());
      if (url.pathname.startsWith("/api/v1/layouts/")) return ok(layout);
      if (url.pathname === "/api/v1/vouchers/newsletter20/") return ok(preview);
      if (url.pathname === "/api/v1/gift-cards/GIFT/") {
        return ok({ balance_cents: 3000, currency: "EUR", expires_at: "2030-01-01T00:00:00Z" });
      }
      if (url.pathname === "/api/v1/tickets/") { bodies.push(JSON.parse(String(init.body))); return ok({ id: "abc" }, 201); }
      return problem(404, "not_found");
    });
    const root = await mount(<SeatMap performance={performance} onChange={() => {}} />);
    await waitFor(() => seat(root, 11));
    await act(() => { seat(root, 13).dispatchEvent(new MouseEvent("click", { bubbles: true })); });
    await act(() => { seat(root, 21).dispatchEvent(new MouseEvent("click", { bubbles: true })); });
    expect(button(root, /^Reserve/).textContent).toContain("2 seats selected, €50.00");
    await act(() => button(root, "Have a code?").click());
    const type = async (selector: string, value: string) => {
      const input = root.querySelector<HTMLInputElement>(selector)!;
      await act(() => { input.value = value; input.dispatchEvent(new Event("input", { bubbles: true })); });
    };
    await type("#codes-5-voucher", "newsletter20");
    await act(() => button(root, "Apply code").click());
    await waitFor(() => text(root).includes("Stalls €24.00 instead of €30.00"));
    // Seats decide their categories: no hidden tariff is offered here.
    expect(text(root)).not.toContain("Your code unlocks");
    expect(root.querySelector("[data-category='9']")).toBeNull();
    expect(button(root, /^Reserve/).textContent).toContain("2 seats selected, €40.00");
    await type("#codes-5-gift", "GIFT");
    await act(() => button(root, "Apply gift card").click());
    await waitFor(() => text(root).includes("€30.00 applied · €10.00 left to pay by card"));
    const results = await axe.run(root, { runOnly: ["wcag2a", "wcag2aa"] });
    expect(results.violations.map((v) => v.id)).toEqual([]);
    await act(() => { button(root, /^Reserve/).click(); });
    await waitFor(() => bodies.length);
    expect(bodies[0]).toEqual({ performance: 5, seats: [13, 21], voucher: "NEWSLETTER20", gift_card: "GIFT" });
  });
});

const seatRef = (id: number, row: string, number: string) =>
  ({ id, section: "Stalls", row, number, label: `Stalls, row ${row}, seat ${number}` });
const orderOf = (id: string, performanceId: number, status: string, seats: ReturnType<typeof seatRef>[]) =>
  ({ id, status, performance: { id: performanceId }, seats, tickets: [], lines: [] });

describe("best available and the customer's seats", () => {
  it("knows the customer's seats of this performance from their live orders", () => {
    const page = { count: 3, next: null, previous: null, results: [
      orderOf("a", 5, "confirmed", [seatRef(13, "A", "3")]),
      orderOf("b", 5, "cancelled", [seatRef(14, "A", "4")]),
      orderOf("c", 6, "pending", [seatRef(21, "B", "1")]),
    ] } as unknown as OrderPage;
    expect([...mySeats(page, 5)]).toEqual([13]);
    expect(zoneCategories(availability()).map((c) => c.name)).toEqual(["Stalls", "Rear"]);
  });

  it("asks the server for the best seats of a zone, shows them as the customer's and leads to the order", async () => {
    const bodies: unknown[] = [];
    let taken = 0b0100_0000;
    mockFetch((url, init) => {
      if (url.pathname.endsWith("/seats/")) return ok(availability(taken));
      if (url.pathname.startsWith("/api/v1/layouts/")) return ok(layout);
      if (url.pathname === "/api/v1/tickets/" && init.method === "POST") {
        bodies.push(JSON.parse(String(init.body)));
        taken = 0b0100_0011;  // B-3 and B-4 are now taken: the customer's
        return ok(orderOf("best-1", 5, "pending", [seatRef(23, "B", "3"), seatRef(24, "B", "4")]), 201);
      }
      if (url.pathname === "/api/v1/tickets/") return ok({ count: 0, next: null, previous: null, results: [] });
      return problem(404, "not_found");
    });
    const root = await mount(<SeatMap performance={performance} onChange={() => {}} />);
    await waitFor(() => seat(root, 11));
    const zone = root.querySelector("select[id^=best-][id$=-zone]") as HTMLSelectElement;
    expect([...zone.options].map((o) => o.textContent)).toEqual(["Stalls · €30.00", "Rear · €20.00"]);
    await act(() => { zone.value = "2"; zone.dispatchEvent(new Event("change", { bubbles: true })); });
    const wheelchair = [...root.querySelectorAll("label.choice")].find((l) => l.textContent?.includes("wheelchair"));
    expect(wheelchair).toBeTruthy();  // the layout has a wheelchair space
    const apart = [...root.querySelectorAll("label.choice")].find((l) => l.textContent?.includes("apart"))!;
    await act(() => { apart.querySelector("input")!.click(); });
    await act(() => { button(root, "Find me seats").click(); });
    await waitFor(() => root.querySelector(".seats-found"));
    expect(bodies[0]).toEqual({ performance: 5, best_available: true, split: true,
                                lines: [{ category: 2, quantity: 2 }] });
    expect(text(root.querySelector(".seats-found")!)).toContain("Stalls, row B, seat 3");
    expect(root.querySelector("[aria-live]")!.textContent).toContain("We found you 2 seats: Stalls, row B, seat 3; Stalls, row B, seat 4.");
    expect(seat(root, 23).getAttribute("class")).toContain("seat-yours");
    expect(seat(root, 23).getAttribute("aria-label")).toMatch(/yours$/);
    expect(seat(root, 13).getAttribute("aria-label")).toMatch(/free$/);
    expect(text(root)).toContain("Yours");
    const results = await axe.run(root, { runOnly: ["wcag2a", "wcag2aa"] });
    expect(results.violations.map((v) => v.id)).toEqual([]);
    await act(() => { button(root, "Go to your order").click(); });
    expect(location.pathname + location.search).toBe("/tickets/best-1?reserved=1");
  });

  it("shows the seats of the customer's earlier orders as theirs", async () => {
    mockFetch((url) => {
      if (url.pathname.endsWith("/seats/")) return ok(availability(0b0110_0000));
      if (url.pathname.startsWith("/api/v1/layouts/")) return ok(layout);
      if (url.pathname === "/api/v1/tickets/") {
        return ok({ count: 1, next: null, previous: null, results: [orderOf("x", 5, "confirmed", [seatRef(13, "A", "3")])] });
      }
      return problem(404, "not_found");
    });
    const root = await mount(<SeatMap performance={performance} onChange={() => {}} />);
    await waitFor(() => seat(root, 13)?.getAttribute("aria-label")?.endsWith("yours"));
    expect(seat(root, 12).getAttribute("aria-label")).toMatch(/taken$/);  // someone else's
    await act(() => { seat(root, 13).dispatchEvent(new MouseEvent("click", { bubbles: true })); });
    expect(root.querySelector("[aria-live]")!.textContent).toBe("Stalls, row A, seat 3 is yours.");
    expect(seat(root, 13).getAttribute("aria-selected")).toBe("false");
  });

  it("says why when no seats together are left, and redraws the map", async () => {
    let seatsAsked = 0;
    mockFetch((url, init) => {
      if (url.pathname.endsWith("/seats/")) { seatsAsked++; return ok(availability()); }
      if (url.pathname.startsWith("/api/v1/layouts/")) return ok(layout);
      if (url.pathname === "/api/v1/tickets/" && init.method === "POST") {
        return problem(409, "no_adjacent_seats", { detail: "No seats side by side are left for this group." });
      }
      return problem(404, "not_found");
    });
    const root = await mount(<SeatMap performance={performance} onChange={() => {}} />);
    await waitFor(() => seat(root, 11));
    await act(() => { button(root, "Find me seats").click(); });
    const alert = await waitFor(() => root.querySelector(".best-available [role=alert]"));
    expect(alert.textContent).toContain("No seats side by side");
    await waitFor(() => seatsAsked === 2);
    expect(root.querySelector(".seats-found")).toBeNull();
  });
});
