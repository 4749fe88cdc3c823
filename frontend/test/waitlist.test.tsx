/** The waiting list (issue 16): joining a sold-out performance, the place in line, leaving,
 * offers and their link to pay, on the show page and in My tickets. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act } from "preact/test-utils";
import { App } from "../src/app";
import type { WaitlistEntry } from "../src/api";
import { timeOfDay } from "../src/format";
import { interceptLinks } from "../src/router";
import { waitlistTiming } from "../src/views/Waitlist";
import { button, mockFetch, mount, ok, problem, signedIn, text, waitFor, type Call, salesFields } from "./helpers";

const OFFER = "7e57ab1e-0000-4000-8000-0000000000ff";
const venue = { name: "Grand Théâtre", city: "Lyon" };
const ref = { slug: "the-tempest", title: "The Tempest" };
const perf = (id: number, status: string, seats_left = 0) => ({
  id, starts_at: "2030-05-01T19:30:00Z", venue, capacity: 100, seats_left, price_cents: 3500,
  currency: "EUR", status, ...salesFields(id, status, seats_left),
});
const showWith = (...performances: ReturnType<typeof perf>[]) => ({
  slug: "the-tempest", title: "The Tempest", summary: "", description: "", poster_url: null,
  duration_minutes: 150, performances,
});
const entry = (fields: Partial<WaitlistEntry> & { performanceId?: number } = {}): WaitlistEntry => {
  const { performanceId = 2, ...rest } = fields;
  return {
    performance: { id: performanceId, starts_at: "2030-05-01T19:30:00Z", show: ref, venue },
    seats: 2, min_seats: 2, status: "waiting", position: 3, joined_at: "2030-04-01T10:00:00Z",
    offered_at: null, offer_order: null, offer_expires_at: null, ...rest,
  };
};
const offered = (performanceId = 2) => entry({ performanceId, status: "offered", position: null,
                                               offered_at: new Date().toISOString(), offer_order: OFFER });
const expiresAt = new Date(Date.now() + 45 * 60_000).toISOString();
const offerOrder = {
  id: OFFER, status: "pending", quantity: 2, total_cents: 7000, currency: "EUR",
  created_at: new Date().toISOString(), expires_at: expiresAt,
  performance: { id: 2, starts_at: "2030-05-01T19:30:00Z", venue, show: ref }, tickets: [], payment: null,
};

/**
 * A small server. The customer's entry per performance (`entries`, absent = not on the list);
 * `join` answers a POST; `polls` are the next entries a GET of performance 2 finds.
 */
function server(show = showWith(perf(2, "sold_out"))) {
  const state = {
    show,
    entries: new Map<number, WaitlistEntry>(),
    polls: [] as (WaitlistEntry | null)[],
    join: (id: number, body: { seats: number; min_seats?: number }): Response => {
      const joined = entry({ performanceId: id, seats: body.seats, min_seats: body.min_seats ?? body.seats });
      state.entries.set(id, joined);
      return ok(joined, 201);
    },
    orders: [] as unknown[],
    calls: [] as Call[],
  };
  state.calls = mockFetch((url, init) => {
    const method = init.method ?? "GET";
    const listed = /^\/api\/v1\/performances\/(\d+)\/waitlist\/$/.exec(url.pathname);
    if (listed) {
      const id = Number(listed[1]);
      if (method === "POST") return state.join(id, JSON.parse(String(init.body)));
      if (method === "DELETE") {
        if (!state.entries.delete(id)) return problem(404, "not_found");
        return new Response(null, { status: 204 });
      }
      if (state.polls.length) {
        const next = state.polls.shift()!;
        if (next) state.entries.set(id, next); else state.entries.delete(id);
      }
      const found = state.entries.get(id);
      return found ? ok(found) : problem(404, "not_found");
    }
    if (url.pathname === "/api/v1/waitlist/") return ok([...state.entries.values()]);
    if (url.pathname === `/api/v1/tickets/${OFFER}/`) return ok(offerOrder);
    if (url.pathname === "/api/v1/tickets/" && method === "GET") {
      return ok({ count: state.orders.length, next: null, previous: null, results: state.orders });
    }
    if (url.pathname === "/api/v1/shows/the-tempest/") return ok(state.show);
    return problem(404, "not_found");
  });
  return state;
}

const requests = (calls: Call[], method: string, path: string) =>
  calls.filter((c) => (c.init.method ?? "GET") === method && new URL(c.url).pathname === path);

async function visit(path: string) {
  history.replaceState(null, "", path);
  return mount(<App />);
}

async function choose(select: HTMLSelectElement | HTMLInputElement, value: string) {
  await act(() => { select.value = value; select.dispatchEvent(new Event("change", { bubbles: true })); });
}

async function submit(form: Element) {
  await act(() => { form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true })); });
}

const item = (root: HTMLElement, id = 2) => root.querySelector(`[data-performance='${id}']`) as HTMLElement;
const live = (root: HTMLElement) => root.querySelector("[aria-live=polite][aria-atomic=true]")!.textContent;

let stopLinks: () => void;
const timing = { ...waitlistTiming };
beforeEach(() => {
  sessionStorage.clear();
  stopLinks = interceptLinks(document);
});
afterEach(() => {
  stopLinks();
  Object.assign(waitlistTiming, timing);
  vi.unstubAllGlobals();
});

describe("waiting list on the show page", () => {
  it("a sold-out performance offers to join: seats and the fewest accepted, then the place in line", async () => {
    signedIn();
    const state = server();
    const root = await visit("/shows/the-tempest");
    const form = await waitFor(() => item(root).querySelector("form.waitlist-join"));
    expect(item(root).querySelector("form.reserve")).toBeNull();
    expect(item(root).querySelector("h4")!.textContent).toBe("Waiting list");
    const seats = form.querySelector("#wl-2-seats") as HTMLSelectElement;
    expect(form.querySelector("label[for='wl-2-seats']")!.textContent).toBe("Seats");
    expect(seats.options).toHaveLength(10);
    expect(form.querySelector("#wl-2-min")).toBeNull(); // one seat: nothing fewer to accept

    await choose(seats, "3");
    const min = form.querySelector("#wl-2-min") as HTMLSelectElement;
    expect(form.querySelector("label[for='wl-2-min']")!.textContent).toBe("I'd accept fewer, down to");
    expect([...min.options].map((o) => o.textContent)).toEqual(["3 (no fewer)", "2", "1"]);
    expect(min.value).toBe("3");
    await choose(min, "2");
    // A double click joins once.
    await act(() => {
      form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true }));
      form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true }));
    });
    const position = await waitFor(() => item(root).querySelector(".waitlist-position"));
    const posts = requests(state.calls, "POST", "/api/v1/performances/2/waitlist/");
    expect(posts).toHaveLength(1);
    expect(JSON.parse(String(posts[0].init.body))).toEqual({ seats: 3, min_seats: 2 });
    expect((posts[0].init.headers as Record<string, string>).Authorization).toBe("Bearer token-123");
    expect(position.textContent).toBe("You are number 3 in line for 3 seats (or as few as 2).");
    expect(document.activeElement).toBe(position); // keyboard users keep their place
    expect(button(item(root), "Leave the waiting list")).toBeTruthy();
    expect(item(root).querySelector("form.waitlist-join")).toBeNull();
  });

  it("lowering the seats keeps the fewest accepted within them", async () => {
    signedIn();
    server();
    const root = await visit("/shows/the-tempest");
    const form = await waitFor(() => item(root).querySelector("form.waitlist-join"));
    await choose(form.querySelector("#wl-2-seats") as HTMLSelectElement, "5");
    expect((form.querySelector("#wl-2-min") as HTMLSelectElement).value).toBe("5"); // "no fewer" follows
    await choose(form.querySelector("#wl-2-min") as HTMLSelectElement, "4");
    await choose(form.querySelector("#wl-2-seats") as HTMLSelectElement, "3");
    expect((form.querySelector("#wl-2-min") as HTMLSelectElement).value).toBe("3");
  });

  it("a visitor who is signed out is asked to sign in first, and nothing private is fetched", async () => {
    const state = server();
    const root = await visit("/shows/the-tempest");
    await waitFor(() => item(root));
    expect(button(item(root), "Sign in to join the waiting list")).toBeTruthy();
    expect(state.calls.filter((c) => c.url.includes("waitlist"))).toHaveLength(0);
  });

  it("someone already on the list sees their place, and leaves in one click", async () => {
    signedIn();
    const state = server();
    state.entries.set(2, entry());
    const root = await visit("/shows/the-tempest");
    await waitFor(() => text(item(root)).includes("You are number 3 in line for 2 seats."));
    await act(() => button(item(root), "Leave the waiting list").click());
    const notice = await waitFor(() => item(root).querySelector(".waitlist .notice"));
    expect(notice.textContent).toBe("You left the waiting list.");
    expect(document.activeElement).toBe(notice);
    expect(requests(state.calls, "DELETE", "/api/v1/performances/2/waitlist/")).toHaveLength(1);
    expect(item(root).querySelector("form.waitlist-join")).toBeTruthy(); // may join again
  });

  it("the place in line is read again while waiting; moving up and an offer are announced, not the polls", async () => {
    signedIn();
    Object.assign(waitlistTiming, { pollMs: 5 });
    const state = server();
    state.entries.set(2, entry());
    state.polls = [entry(), entry(), entry({ position: 2 }), entry({ position: 2 })];
    const root = await visit("/shows/the-tempest");
    await waitFor(() => text(item(root)).includes("You are number 2 in line"));
    expect(live(item(root))).toBe("You moved up: you are now number 2 in line.");
    await waitFor(() => state.polls.length === 0);
    expect(live(item(root))).toBe("You moved up: you are now number 2 in line.");

    state.polls = [offered()];
    const link = await waitFor(() => item(root).querySelector("a.offer-link") as HTMLAnchorElement | null);
    expect(live(item(root))).toBe("Seats are held for you: complete payment to keep them.");
    expect(link.getAttribute("href")).toBe(`/tickets/${OFFER}`);
    // Holding an offer, nothing more to poll.
    const gets = requests(state.calls, "GET", "/api/v1/performances/2/waitlist/").length;
    await new Promise((r) => setTimeout(r, 30));
    expect(requests(state.calls, "GET", "/api/v1/performances/2/waitlist/").length).toBe(gets);
  });

  it("an entry that leaves the list while watched says so", async () => {
    signedIn();
    Object.assign(waitlistTiming, { pollMs: 5 });
    const state = server();
    state.entries.set(2, entry());
    state.polls = [entry(), null]; // the first read is the page's own
    const root = await visit("/shows/the-tempest");
    await waitFor(() => item(root).querySelector("form.waitlist-join"));
    expect(text(item(root))).toContain("You are no longer on the waiting list.");
    expect(live(item(root))).toContain("You are no longer on the waiting list.");
  });

  it("an offer links to its payment with the time its hold ends; leaving it asks first", async () => {
    signedIn();
    const state = server();
    state.entries.set(2, offered());
    const root = await visit("/shows/the-tempest");
    const link = await waitFor(() => {
      const a = item(root).querySelector("a.offer-link");
      return a?.querySelector("time") && a;
    });
    expect(link.textContent).toBe(`Seats are held for you until ${timeOfDay(expiresAt)} — complete payment`);
    expect(link.querySelector("time")!.getAttribute("datetime")).toBe(expiresAt);
    await act(() => button(item(root), "Leave the waiting list").click());
    expect(requests(state.calls, "DELETE", "/api/v1/performances/2/waitlist/")).toHaveLength(0);
    expect(text(item(root))).toContain("The seats held for you go to the next person in line.");
    expect(document.activeElement).toBe(button(item(root), "Yes, leave"));
    await act(() => button(item(root), "Keep my seats").click());
    expect(item(root).querySelector("a.offer-link")).toBeTruthy();
    await act(() => button(item(root), "Leave the waiting list").click());
    await act(() => button(item(root), "Yes, leave").click());
    await waitFor(() => text(item(root)).includes("You left the waiting list."));
    expect(requests(state.calls, "DELETE", "/api/v1/performances/2/waitlist/")).toHaveLength(1);
    expect(item(root).querySelector("a.offer-link")).toBeNull();
  });

  it("a reservation refused because the list goes first opens the list, with the seats wanted", async () => {
    signedIn();
    const state = server(showWith(perf(1, "on_sale", 4)));
    const reserve = vi.fn(() => problem(409, "sold_out", { seats_left: 0,
      detail: "The seats that come free are offered to the waiting list first: join it to get one." }));
    const handler = vi.mocked(fetch).getMockImplementation()!;
    vi.mocked(fetch).mockImplementation(async (input, init) =>
      (new URL(String(input), location.href).pathname === "/api/v1/tickets/" && init?.method === "POST"
        ? reserve() : handler(input, init)));
    const root = await visit("/shows/the-tempest");
    const form = await waitFor(() => item(root, 1).querySelector("form.reserve"));
    await choose(form.querySelector<HTMLInputElement>("input[type=number]")!, "2");
    await submit(form);
    const join = await waitFor(() => item(root, 1).querySelector("form.waitlist-join"));
    expect(reserve).toHaveBeenCalledOnce();
    expect(item(root, 1).querySelector("form.reserve")).toBeNull();
    expect(item(root, 1).querySelector(".badge")!.textContent).toBe("Sold out");
    expect(item(root, 1).querySelector(".seats-left")).toBeNull();
    expect((join.querySelector("#wl-1-seats") as HTMLSelectElement).value).toBe("2");
    await submit(join);
    await waitFor(() => text(item(root, 1)).includes("You are number 3 in line for 2 seats."));
    expect(state.entries.get(1)!.seats).toBe(2);
  });

  it("a customer with seats left to buy is not sent to the list", async () => {
    signedIn();
    const state = server(showWith(perf(1, "on_sale", 4)));
    const handler = vi.mocked(fetch).getMockImplementation()!;
    vi.mocked(fetch).mockImplementation(async (input, init) =>
      (init?.method === "POST" ? problem(409, "sold_out", { seats_left: 1 }) : handler(input, init)));
    const root = await visit("/shows/the-tempest");
    const form = await waitFor(() => item(root, 1).querySelector("form.reserve"));
    await submit(form);
    await waitFor(() => text(item(root, 1)).includes("Only 1 seat left"));
    expect(item(root, 1).querySelector(".waitlist")).toBeNull();
    expect(state.calls.filter((c) => c.url.includes("waitlist"))).toHaveLength(0);
  });

  it("seats on sale again: says so and shows the reserve form again", async () => {
    signedIn();
    const state = server();
    state.join = () => { state.show = showWith(perf(2, "on_sale", 2)); return problem(409, "seats_available", { seats_left: 2 }); };
    const root = await visit("/shows/the-tempest");
    await submit(await waitFor(() => item(root).querySelector("form.waitlist-join")));
    await waitFor(() => item(root).querySelector("form.reserve"));
    expect(text(item(root))).toContain("Seats are on sale again for this performance: reserve them instead.");
    expect(item(root).querySelector(".waitlist")).toBeNull();
  });

  it("already on the list (another tab): shows the place instead of an error", async () => {
    signedIn();
    const state = server();
    const root = await visit("/shows/the-tempest");
    const form = await waitFor(() => item(root).querySelector("form.waitlist-join"));
    state.entries.set(2, entry({ position: 7 }));
    state.join = () => problem(409, "already_waiting");
    await submit(form);
    await waitFor(() => text(item(root)).includes("You are number 7 in line"));
    expect(item(root).querySelector("[role=alert]")).toBeNull();
  });

  it("a list turned off, invalid values and a lost connection are explained", async () => {
    signedIn();
    const state = server();
    const root = await visit("/shows/the-tempest");
    const form = await waitFor(() => item(root).querySelector("form.waitlist-join"));
    state.join = () => problem(422, "invalid", { detail: "Seats must be 1 to 10." });
    await submit(form);
    const alert = await waitFor(() => form.querySelector("[role=alert]"));
    expect(alert.textContent).toContain("Seats must be 1 to 10.");
    expect(form.getAttribute("aria-describedby")).toBe(alert.id);
    state.join = () => { throw new TypeError("offline"); };
    await submit(form);
    await waitFor(() => text(form as HTMLElement).includes("could not be reached"));
    state.join = () => problem(409, "waitlist_closed");
    await submit(form);
    const notice = await waitFor(() => item(root).querySelector(".waitlist .notice"));
    expect(notice.textContent).toBe("This performance has no waiting list.");
    expect(document.activeElement).toBe(notice);
    expect(item(root).querySelector("form.waitlist-join")).toBeNull();
  });
});

describe("waiting lists in My tickets", () => {
  it("lists each list with the place in line, and an offer with its link to pay", async () => {
    signedIn();
    const state = server();
    state.entries.set(2, offered());
    state.entries.set(5, entry({ performanceId: 5, seats: 4, min_seats: 1, position: 3 }));
    state.orders = [offerOrder];
    const root = await visit("/tickets");
    const section = await waitFor(() => root.querySelector("section.waitlists") as HTMLElement | null);
    expect(section.querySelector("h2")!.textContent).toBe("Waiting lists");
    const card = (id: number) => section.querySelector(`[data-waitlist='${id}']`) as HTMLElement;
    expect(card(5).querySelector("h3 a")!.getAttribute("href")).toBe("/shows/the-tempest");
    expect(text(card(5))).toContain("You are number 3 in line for 4 seats (or as few as 1).");
    expect(card(5).querySelector(".badge")!.textContent).toBe("Waiting");
    expect(text(card(5))).toContain("Grand Théâtre, Lyon");
    const link = await waitFor(() => {
      const a = card(2).querySelector("a.offer-link");
      return a?.querySelector("time") && (a as HTMLAnchorElement);
    });
    expect(link.textContent).toBe(`Seats are held for you until ${timeOfDay(expiresAt)} — complete payment`);
    expect(card(2).querySelector(".badge")!.textContent).toBe("Seats held for you");
    // The offer is also a pending order like any other, below.
    expect(root.querySelector(`[data-order='${OFFER}']`)).toBeTruthy();
    await act(() => link.click());
    await waitFor(() => location.pathname === `/tickets/${OFFER}`);
  });

  it("leaving from My tickets takes the entry away and says so", async () => {
    signedIn();
    const state = server();
    state.entries.set(2, entry());
    const root = await visit("/tickets");
    const card = await waitFor(() => root.querySelector("[data-waitlist='2']") as HTMLElement | null);
    await act(() => button(card, "Leave the waiting list").click());
    const notice = await waitFor(() => root.querySelector("section.waitlists .notice"));
    expect(notice.textContent).toBe("You left the waiting list for The Tempest.");
    expect(document.activeElement).toBe(notice);
    expect(root.querySelector("[data-waitlist='2']")).toBeNull();
    expect(requests(state.calls, "DELETE", "/api/v1/performances/2/waitlist/")).toHaveLength(1);
  });

  it("no section when on no list; a failure to load it does not hide the tickets", async () => {
    signedIn();
    const state = server();
    const root = await visit("/tickets");
    await waitFor(() => text(root).includes("no tickets yet"));
    expect(root.querySelector("section.waitlists")).toBeNull();

    state.orders = [offerOrder];
    const handler = vi.mocked(fetch).getMockImplementation()!;
    vi.mocked(fetch).mockImplementation(async (input, init) =>
      (new URL(String(input), location.href).pathname === "/api/v1/waitlist/"
        ? problem(503, "unavailable") : handler(input, init)));
    const again = await visit("/tickets");
    await waitFor(() => again.querySelector(`[data-order='${OFFER}']`));
    await waitFor(() => text(again).includes("Your waiting lists could not be loaded."));
    expect(button(again, "Try again")).toBeTruthy();
  });
});
