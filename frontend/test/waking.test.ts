import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError } from "../src/api";
import { isWaking } from "../src/waking";
import { mockFetch, ok, problem } from "./helpers";

afterEach(() => { vi.unstubAllGlobals(); vi.useRealTimers(); });

function resuming(retryAfter = "5"): Response {
  const response = problem(503, "database_resuming", { retry_after: 5 });
  response.headers.set("Retry-After", retryAfter);
  return response;
}

describe("a paused database waking up", () => {
  it("waits Retry-After and asks again, saying it is waking meanwhile", async () => {
    vi.useFakeTimers();
    let n = 0;
    const calls = mockFetch(() => (++n <= 2 ? resuming("3") : ok({ count: 0, next: null, previous: null, results: [] })));
    const page = api.shows();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.length).toBe(1);
    expect(isWaking()).toBe(true);
    await vi.advanceTimersByTimeAsync(2999);
    expect(calls.length).toBe(1);  // not before Retry-After
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.length).toBe(2);
    await vi.advanceTimersByTimeAsync(3000);
    expect((await page).count).toBe(0);
    expect(calls.length).toBe(3);
    expect(isWaking()).toBe(false);
  });

  it("gives up after a minute and a half with the problem", async () => {
    vi.useFakeTimers();
    mockFetch(() => resuming());
    const failed = api.infoPages().catch((e) => e);
    await vi.advanceTimersByTimeAsync(100_000);
    const error = await failed;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe("database_resuming");
    expect(isWaking()).toBe(false);
  });

  it("stops waiting when the view goes away", async () => {
    vi.useFakeTimers();
    const calls = mockFetch(() => resuming());
    const controller = new AbortController();
    const gone = api.shows({}, controller.signal).catch((e) => e);
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    expect((await gone).name).toBe("AbortError");
    await vi.advanceTimersByTimeAsync(20_000);
    expect(calls.length).toBe(1);
    expect(isWaking()).toBe(false);
  });
});
