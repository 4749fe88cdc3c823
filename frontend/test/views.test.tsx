import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act } from "preact/test-utils";
import { App } from "../src/app";
import { interceptLinks } from "../src/router";
import { button, flush, mockFetch, mount, ok, problem, signedIn, text, waitFor, salesFields } from "./helpers";

const venue = { name: "Grand Théâtre", city: "Lyon" };
const perf = (id: number, status: string, seats_left = 50) => ({
  id, starts_at: "2030-05-01T19:30:00Z", venue, capacity: 100, seats_left, price_cents: 3500,
  currency: "EUR", status, ...salesFields(id, status, seats_left),
});
const show = {
  slug: "the-tempest", title: "The Tempest", summary: "Storms.", description: "Doors at 7.",
  poster_url: null, duration_minutes: 150,
  performances: [perf(1, "on_sale", 3), perf(2, "sold_out", 0), perf(3, "sales_closed"), perf(4, "cancelled")],
};
const order = (status = "confirmed") => ({
  id: "0d6c7a9e-1111-4222-8333-444455556666", status, quantity: 2, total_cents: 7000, currency: "EUR",
  created_at: "2030-04-01T10:00:00Z", performance: { ...perf(1, "on_sale"), show: { slug: "the-tempest", title: "The Tempest" } },
  tickets: [{ code: "AAAA2222", checked_in_at: null }, { code: "BBBB3333", checked_in_at: null }],
});
const page = <T,>(results: T[]) => ({ count: results.length, next: null, previous: null, results });

async function visit(path: string) {
  history.replaceState(null, "", path);
  return mount(<App />);
}

let stopLinks: () => void;
beforeEach(() => {
  sessionStorage.clear();
  stopLinks = interceptLinks(document);
  vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: vi.fn(() => "blob:qr"), revokeObjectURL: vi.fn() }));
});
afterEach(() => { stopLinks(); vi.unstubAllGlobals(); });

describe("show list", () => {
  it("shows loading, then the shows with price and next date", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    mockFetch(async () => { await gate; return ok(page([{ slug: "the-tempest", title: "The Tempest", summary: "Storms.",
      poster_url: null, next_performance_at: "2030-05-01T19:30:00Z", price_from_cents: 3500, currency: "EUR" }])); });
    const root = await visit("/");
    expect(text(root)).toContain("Loading shows");
    release();
    await waitFor(() => root.querySelector("a[href='/shows/the-tempest']"));
    expect(text(root)).toMatch(/From .*35/);
    expect(root.querySelector("h1")!.textContent).toBe("What's on");
  });

  it("sends search and dates from the URL, and says when nothing matches", async () => {
    const calls = mockFetch(() => ok(page([])));
    const root = await visit("/?q=opera&from=2030-01-01&to=2030-02-01");
    await waitFor(() => text(root).includes("No shows match"));
    const url = new URL(calls[0].url);
    expect([url.searchParams.get("q"), url.searchParams.get("from"), url.searchParams.get("to")])
      .toEqual(["opera", "2030-01-01", "2030-02-01"]);
    expect((root.querySelector("#search-q") as HTMLInputElement).value).toBe("opera");
  });

  it("submitting the search form navigates with the query", async () => {
    const calls = mockFetch(() => ok(page([])));
    const root = await visit("/");
    await waitFor(() => text(root).includes("No shows are on sale"));
    const input = root.querySelector("#search-q") as HTMLInputElement;
    await act(() => { input.value = "jazz"; input.dispatchEvent(new Event("input", { bubbles: true })); });
    await act(() => { root.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true })); });
    await waitFor(() => calls.length === 2);
    expect(location.search).toBe("?q=jazz");
    expect(new URL(calls[1].url).searchParams.get("q")).toBe("jazz");
  });

  it("says when the network is down and retries", async () => {
    let fail = true;
    vi.stubGlobal("fetch", vi.fn(async () => { if (fail) throw new TypeError("offline"); return ok(page([])); }));
    const root = await visit("/");
    await waitFor(() => root.querySelector("[role=alert]"));
    expect(text(root)).toContain("could not be reached");
    fail = false;
    await act(() => button(root, "Try again").click());
    await waitFor(() => text(root).includes("No shows are on sale"));
  });
});

describe("show detail", () => {
  it("shows each performance's state; only on-sale ones can be reserved, sold-out ones waited for", async () => {
    mockFetch((url) => (url.pathname.endsWith("/waitlist/") ? problem(404, "not_found") : ok(show)));
    signedIn();
    const root = await visit("/shows/the-tempest");
    await waitFor(() => root.querySelector("[data-performance='1']"));
    const item = (id: number) => root.querySelector(`[data-performance='${id}']`)! as HTMLElement;
    expect(text(item(1))).toContain("3 seats left");
    expect((item(1).querySelector("input[type=number]") as HTMLInputElement).max).toBe("3");
    expect(item(1).querySelector(".waitlist")).toBeNull();
    expect(text(item(2))).toContain("Sold out");
    expect(item(2).querySelector("form.reserve")).toBeNull();
    await waitFor(() => item(2).querySelector("form.waitlist-join"));
    expect(button(item(2), "Join the waiting list")).toBeTruthy();
    expect(item(3).querySelector(".waitlist")).toBeNull();
    expect(item(4).querySelector(".waitlist")).toBeNull();
    expect(text(item(3))).toContain("Sales closed");
    expect(item(3).querySelector("button")).toBeNull();
    expect(text(item(4))).toContain("Cancelled");
    expect(root.querySelector("label[for='qty-1-10']")!.textContent).toBe("Full price");
  });

  it("asks a signed-out visitor to sign in to reserve", async () => {
    mockFetch(() => ok(show));
    const root = await visit("/shows/the-tempest");
    await waitFor(() => root.querySelector("[data-performance='1']"));
    expect(button(root, "Sign in to reserve")).toBeTruthy();
  });

  it("a double click reserves once, with one Idempotency-Key, then shows the tickets", async () => {
    signedIn();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls = mockFetch(async (url, init) => {
      if (url.pathname === "/api/v1/tickets/" && init.method === "POST") { await gate; return ok(order(), 201); }
      if (url.pathname.endsWith("qr.svg")) return new Response("<svg/>", { headers: { "Content-Type": "image/svg+xml" } });
      if (url.pathname.startsWith("/api/v1/tickets/")) return ok(order());
      return ok(show);
    });
    const root = await visit("/shows/the-tempest");
    await waitFor(() => root.querySelector("#qty-1-10"));
    const field = root.querySelector("#qty-1-10") as HTMLInputElement;
    await act(() => { field.value = "2"; field.dispatchEvent(new Event("change", { bubbles: true })); });
    const form = root.querySelector("form.reserve")!;
    await act(() => {
      form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true }));
      form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true }));
    });
    release();
    await waitFor(() => root.querySelectorAll("img.qr").length === 2);
    const posts = calls.filter((c) => c.init.method === "POST");
    expect(posts).toHaveLength(1);
    expect(JSON.parse(String(posts[0].init.body))).toEqual({ performance: 1, lines: [{ category: 10, quantity: 2 }] });
    expect(location.pathname).toBe(`/tickets/${order().id}`);
    expect(text(root)).toContain("Reserved: 2 tickets");
    expect(root.querySelector("img.qr")!.getAttribute("alt")).toBe("QR code for ticket AAAA2222");
  });

  it("a retry after a network failure reuses the same Idempotency-Key", async () => {
    signedIn();
    let posts = 0;
    const calls = mockFetch((_url, init) => {
      if (init.method === "POST") { posts++; if (posts === 1) throw new TypeError("offline"); return problem(409, "limit_exceeded"); }
      return ok(show);
    });
    const root = await visit("/shows/the-tempest");
    await waitFor(() => root.querySelector("form.reserve"));
    const submit = () => act(() => { root.querySelector("form.reserve")!.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true })); });
    await submit();
    await waitFor(() => text(root).includes("could not be reached"));
    await submit();
    await waitFor(() => text(root).includes("at most 10 seats"));
    const keys = calls.filter((c) => c.init.method === "POST")
      .map((c) => (c.init.headers as Record<string, string>)["Idempotency-Key"]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    await submit();
    await waitFor(() => calls.filter((c) => c.init.method === "POST").length === 3);
    const third = (calls.filter((c) => c.init.method === "POST")[2].init.headers as Record<string, string>)["Idempotency-Key"];
    expect(third).not.toBe(keys[0]); // a refused intent is over; trying again is a new one
  });

  it("says sold out when the seats went while choosing", async () => {
    signedIn();
    mockFetch((url, init) => (init.method === "POST" ? problem(409, "sold_out", { seats_left: 0 })
      : url.pathname.endsWith("/waitlist/") ? problem(404, "not_found") : ok(show)));
    const root = await visit("/shows/the-tempest");
    await waitFor(() => root.querySelector("form.reserve"));
    await act(() => { root.querySelector("form.reserve")!.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true })); });
    await waitFor(() => text(root).includes("Sold out: there are not enough seats"));
    await waitFor(() => root.querySelector("[data-performance='1'] form.waitlist-join"));
  });

  it("an expired session offers to sign in again", async () => {
    signedIn();
    mockFetch((_url, init) => (init.method === "POST" ? problem(401, "invalid_token") : ok(show)));
    const root = await visit("/shows/the-tempest");
    await waitFor(() => root.querySelector("form.reserve"));
    await act(() => { root.querySelector("form.reserve")!.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true })); });
    await waitFor(() => text(root).includes("session has expired"));
    expect(button(root, "Sign in again")).toBeTruthy();
    expect(sessionStorage.getItem("marquee.session")).toBeNull();
  });

  it("an unknown show is the 404 view", async () => {
    mockFetch(() => problem(404, "not_found"));
    const root = await visit("/shows/nope");
    await waitFor(() => text(root).includes("Page not found"));
  });
});

describe("my tickets", () => {
  it("asks to sign in when signed out", async () => {
    const calls = mockFetch(() => ok(page([])));
    const root = await visit("/tickets");
    await flush();
    expect(text(root)).toContain("Sign in to see your tickets");
    expect(calls).toHaveLength(0);
  });

  it("says the session expired when the token ran out", async () => {
    signedIn("a@b.c", -1000);
    mockFetch(() => ok(page([])));
    const root = await visit("/tickets");
    await flush();
    expect(text(root)).toContain("session has expired");
    expect(button(root, "Sign in again")).toBeTruthy();
  });

  it("lists orders with one QR code per ticket, and cancels after confirming", async () => {
    signedIn();
    const calls = mockFetch((url, init) => {
      if (url.pathname.endsWith("qr.svg")) return new Response("<svg/>", { headers: { "Content-Type": "image/svg+xml" } });
      if (url.pathname.endsWith("/cancel/") && init.method === "POST") return ok(order("cancelled"));
      if (url.pathname === "/api/v1/waitlist/") return ok([]);
      return ok(page([order()]));
    });
    const root = await visit("/tickets");
    await waitFor(() => root.querySelectorAll("img.qr").length === 2);
    const qr = calls.find((c) => c.url.endsWith("qr.svg"))!;
    expect((qr.init.headers as Record<string, string>).Authorization).toBe("Bearer token-123");
    await act(() => button(root, "Cancel order").click());
    await waitFor(() => document.activeElement === button(root, "Yes, cancel"));
    await act(() => button(root, "Yes, cancel").click());
    await waitFor(() => text(root).includes("This order is cancelled"));
    expect(document.activeElement?.textContent).toContain("This order is cancelled");
    expect(root.querySelectorAll("img.qr")).toHaveLength(0);
    expect(root.querySelector("a[href='/shows/the-tempest']")).toBeTruthy();
  });

  it("downloads the order's tickets as a PDF with the bearer token", async () => {
    signedIn();
    const calls = mockFetch((url) => {
      if (url.pathname.endsWith("qr.svg")) return new Response("<svg/>", { headers: { "Content-Type": "image/svg+xml" } });
      if (url.pathname.endsWith("/tickets.pdf")) return new Response("%PDF-1.4", { headers: { "Content-Type": "application/pdf" } });
      if (url.pathname === "/api/v1/waitlist/") return ok([]);
      return ok(page([order()]));
    });
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    const root = await visit("/tickets");
    await waitFor(() => text(root).includes("Download tickets (PDF)"));
    const link = [...root.querySelectorAll("a")].find((a) => a.textContent === "Download tickets (PDF)")!;
    await act(() => { link.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true })); });
    await waitFor(() => clicked.mock.calls.length === 1);
    const pdf = calls.find((c) => c.url.includes("/tickets.pdf"))!;
    expect(pdf.url).toContain(`/api/v1/tickets/${order().id}/tickets.pdf?layout=a4`);
    expect((pdf.init.headers as Record<string, string>).Authorization).toBe("Bearer token-123");
    clicked.mockRestore();
  });

  it("offers no PDF for a cancelled order", async () => {
    signedIn();
    mockFetch((url) => (url.pathname === "/api/v1/waitlist/" ? ok([]) : ok(page([order("cancelled")]))));
    const root = await visit("/tickets");
    await waitFor(() => text(root).includes("This order is cancelled"));
    expect(text(root)).not.toContain("Download tickets (PDF)");
  });

  it("says when there are no tickets yet", async () => {
    signedIn();
    mockFetch((url) => (url.pathname === "/api/v1/waitlist/" ? ok([]) : ok(page([]))));
    const root = await visit("/tickets");
    await waitFor(() => text(root).includes("no tickets yet"));
    expect(text(root)).not.toContain("Waiting lists");
  });
});

describe("info and routing", () => {
  it("renders an info page with its attachments", async () => {
    mockFetch(() => ok({ slug: "visit", title: "Visit us", body_html: "<p>Come <strong>early</strong>.</p>",
      updated_at: "2030-01-01T00:00:00Z", attachments: [{ name: "map.pdf", url: "/media/attachments/map.pdf", size: 2048 }] }));
    const root = await visit("/info/visit");
    await waitFor(() => root.querySelector(".prose strong"));
    const link = root.querySelector("a[href='/media/attachments/map.pdf']")!;
    expect(link.textContent).toBe("map.pdf");
    expect(text(root)).toContain("(2 KB)");
  });

  it("an unknown path is the 404 view, with a way home", async () => {
    mockFetch(() => ok({}));
    const root = await visit("/no/such/page");
    expect(text(root)).toContain("Page not found");
    expect(root.querySelector("main a[href='/']")).toBeTruthy();
  });

  it("links navigate without a reload and move focus to the new heading", async () => {
    mockFetch((url) => (url.pathname === "/api/v1/info/" ? ok(page([{ slug: "visit", title: "Visit us", summary: "" }])) : ok(page([]))));
    const root = await visit("/");
    await waitFor(() => text(root).includes("No shows"));
    await act(() => (root.querySelector("nav a[href='/info']") as HTMLAnchorElement).click());
    await waitFor(() => text(root).includes("Visit us"));
    expect(location.pathname).toBe("/info");
    expect(document.activeElement).toBe(root.querySelector("h1"));
    expect(root.querySelector("nav a[aria-current='page']")!.getAttribute("href")).toBe("/info");
  });
});

describe("sign-in callback", () => {
  it("trades the code, then returns to the page the visitor was on", async () => {
    const { buildAuthorizeUrl } = await import("../src/auth");
    await buildAuthorizeUrl("/tickets");
    const { state } = JSON.parse(sessionStorage.getItem("marquee.pkce")!);
    mockFetch((url) => (url.pathname === "/dev-auth/oauth2/token"
      ? ok({ access_token: "fresh", token_type: "Bearer", expires_in: 3600 })
      : url.pathname === "/api/v1/waitlist/" ? ok([]) : ok(page([]))));
    const root = await visit(`/auth/callback?code=abc&state=${state}`);
    await waitFor(() => location.pathname === "/tickets" && text(root).includes("no tickets yet"));
    expect(button(root, "Sign out")).toBeTruthy();
  });

  it("explains a failed sign-in and offers to try again", async () => {
    mockFetch(() => ok({}));
    const root = await visit("/auth/callback?code=abc&state=forged");
    await waitFor(() => text(root).includes("Sign-in failed"));
    expect(button(root, "Sign in again")).toBeTruthy();
  });
});
