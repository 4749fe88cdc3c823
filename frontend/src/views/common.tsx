/** Shared view pieces: data loading, titles with focus, loading/empty/error states. */

import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api";
import { signIn } from "../auth";
import { t, tn } from "../i18n";

export type Resource<T> =
  | { state: "loading" }
  | { state: "ok"; data: T }
  | { state: "error"; error: unknown };

/** Loads `load()` when `deps` change; aborts a stale request; `reload` tries again. */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]):
    [Resource<T>, () => void, (data: T) => void] {
  const [resource, setResource] = useState<Resource<T>>({ state: "loading" });
  const [attempt, setAttempt] = useState(0);
  const key = JSON.stringify(deps);
  const lastKey = useRef(key);
  useEffect(() => {
    const controller = new AbortController();
    // A reload of the same thing keeps what is shown until the fresh data arrives.
    const refresh = lastKey.current === key && resource.state === "ok";
    lastKey.current = key;
    if (!refresh) setResource({ state: "loading" });
    load(controller.signal).then(
      (data) => { if (!controller.signal.aborted) setResource({ state: "ok", data }); },
      (error) => { if (!controller.signal.aborted) setResource({ state: "error", error }); },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const replace = useCallback((data: T) => setResource({ state: "ok", data }), []);
  return [resource, reload, replace];
}

/** The current time, read again every `intervalMs` while `active` (countdowns). */
export function useNow(active = true, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}

let firstPage = true;

/** The page's <h1>: sets document.title and takes focus after a client-side navigation. */
export function PageTitle({ children, title }: { children: ComponentChildren; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => {
    document.title = `${title} · Marquee`;
    if (firstPage) firstPage = false;
    else ref.current?.focus();
  }, [title]);
  return <h1 id="page-title" ref={ref} tabIndex={-1}>{children}</h1>;
}

export function Loading({ label = t("Loading…") }: { label?: string }) {
  return <p class="state state-loading" role="status" aria-live="polite"><span class="spinner" aria-hidden="true" />{label}</p>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="state state-empty">{children}</p>;
}

const messages = (): Record<string, string> => ({
  network: t("The box office could not be reached. Check your connection and try again."),
  session_expired: t("Your session has expired. Sign in again to continue where you were."),
  not_authenticated: t("Please sign in to continue."),
  not_found: t("We could not find that."),
  sold_out: t("Sold out: there are not enough seats left for this performance."),
  sales_closed: t("Sales are closed for this performance."),
  limit_exceeded: t("You can hold at most 10 seats for one performance, over all your orders."),
  idempotency_in_progress: t("Your reservation is still being processed. Try again in a moment."),
  idempotency_key_reused: t("This reservation changed while it was being sent. Please try again."),
  throttled: t("Too many requests. Please wait a moment and try again."),
  unavailable: t("The box office is temporarily unavailable. Please try again shortly."),
  price_changed: t("The price changed while reserving. Please check it and try again."),
  payment_unavailable: t("Card payments are unavailable at the moment; your seats are still held. Please try again in a moment."),
  admission_required: t("Many people want tickets for this performance: you are being placed in the waiting room."),
  admission_invalid: t("Your place in the waiting room could not be checked. Please join it again."),
  admission_expired: t("Your turn to reserve has passed. Ask the waiting room for a new one."),
  category_sold_out: t("That price category is sold out: choose another one."),
  sales_not_open: t("Tickets for this performance are not on sale yet."),
  cancellation_closed: t("This order can no longer be cancelled: its refund rule's deadline has passed."),
  hold_expired: t("Your hold expired and the seats were released."),
  seats_available: t("Seats are on sale again for this performance: reserve them instead."),
  already_waiting: t("You are already on this performance's waiting list."),
  waitlist_closed: t("This performance has no waiting list."),
});

/** A visitor-facing sentence for an error, by its stable problem `code`. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "sold_out" && typeof error.problem.seats_left === "number") {
      const left = error.problem.seats_left;
      return left > 0 ? tn(left, "Only {n} seat left for this performance.", "Only {n} seats left for this performance.")
                      : messages().sold_out;
    }
    // The bank's own words say best why a card was refused.
    if (error.code === "card_declined" && error.problem.detail) return error.problem.detail;
    return messages()[error.code] || error.problem.detail || error.problem.title || t("Something went wrong.");
  }
  return t("Something went wrong. Please try again.");
}

export function errorCode(error: unknown): string {
  return error instanceof ApiError ? error.code : "error";
}

/** An error with the one action that helps: sign in again, or retry. */
export function ErrorState({ error, retry, title }: { error: unknown; retry?: () => void; title?: string }) {
  const code = errorCode(error);
  const signInAgain = code === "session_expired" || code === "not_authenticated";
  return (
    <div class={`state state-error error-${code}`} role="alert">
      {title && <p class="state-title">{title}</p>}
      <p>{errorMessage(error)}</p>
      {signInAgain ? (
        <button type="button" class="button" onClick={() => void signIn()}>{t("Sign in again")}</button>
      ) : retry && code !== "not_found" ? (
        <button type="button" class="button button-secondary" onClick={retry}>{t("Try again")}</button>
      ) : null}
    </div>
  );
}

/**
 * A view loaded on first use, in a chunk of its own (the seat map, the gift-card page): what
 * most visitors never see stays out of the initial bundle and its 30 KB budget.
 */
export function lazyView<P extends object>(load: () => Promise<(props: P) => ComponentChildren>,
                                          label?: string) {
  let loaded: ((props: P) => ComponentChildren) | null = null;
  return function LazyView(props: P) {
    const [, setReady] = useState(false);
    useEffect(() => {
      if (!loaded) void load().then((view) => { loaded = view; setReady(true); });
    }, []);
    const View = loaded;
    return View ? <>{View(props)}</> : <Loading label={label} />;
  };
}
