/**
 * The waiting list of a sold-out performance (issue 16).
 *
 * On the show page, `WaitlistPanel`: join (how many seats, and the fewest accepted), then the
 * customer's place in line and a one-click "Leave the waiting list". In My tickets,
 * `WaitingLists`: every list the customer is on, and for an offer a prominent link to pay.
 *
 * When seats come free the head of the line gets an offer: a pending order held in their
 * name, paid on its `/tickets/<id>` page like any hold. While someone waits, their entry is
 * read again every `waitlistTiming.pollMs` (while the tab is visible); a screen reader hears
 * only what changed — moved up, an offer, off the list — never the polls themselves.
 */

import type { ComponentChildren, RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, type Performance, type WaitlistEntry } from "../api";
import { signIn } from "../auth";
import { dateTime, timeOfDay } from "../format";
import { t, tn } from "../i18n";
import { useSession } from "../session";
import { errorCode, errorMessage, useResource } from "./common";

/** How often a waiting entry is read again (its position, an offer). */
export const waitlistTiming = { pollMs: 30_000 };

/** The API's bounds: 1 to 10 seats per customer and performance. */
const MAX_SEATS = 10;

const gone = () => t("You are no longer on the waiting list. If seats were offered to you, they are in My tickets.");

function seatsPhrase(entry: WaitlistEntry): string {
  return entry.min_seats < entry.seats
    ? t("{seats} seats (or as few as {min})", { seats: entry.seats, min: entry.min_seats })
    : tn(entry.seats, "{n} seat", "{n} seats");
}

export function positionSentence(entry: WaitlistEntry): string {
  return entry.position
    ? t("You are number {position} in line for {seats}.", { position: entry.position, seats: seatsPhrase(entry) })
    : t("You are on the waiting list for {seats}.", { seats: seatsPhrase(entry) });
}

/**
 * The entry as it is now: `initial`, then what each poll finds while it is waiting.
 * `announce` says a change out loud; `onGone` is called when the entry is no longer active.
 */
function useFollowedEntry(initial: WaitlistEntry, announce: (message: string) => void,
                          onGone: () => void): WaitlistEntry {
  const [entry, setEntry] = useState(initial);
  useEffect(() => setEntry(initial), [initial]);
  const latest = useRef(entry);
  latest.current = entry;
  const report = useRef({ announce, onGone });
  report.current = { announce, onGone };
  const performanceId = entry.performance.id;
  const waiting = entry.status === "waiting";
  useEffect(() => {
    if (!waiting) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      if (document.visibilityState !== "hidden") {
        try {
          const fresh = await api.waitlistEntry(performanceId, controller.signal);
          if (controller.signal.aborted) return;
          const was = latest.current;
          if (!fresh) { report.current.onGone(); return; }
          if (fresh.status === "offered" && was.status !== "offered") {
            report.current.announce(t("Seats are held for you: complete payment to keep them."));
          } else if (fresh.position && was.position && fresh.position < was.position) {
            report.current.announce(t("You moved up: you are now number {position} in line.", { position: fresh.position }));
          }
          setEntry(fresh);
        } catch (error) {
          if (controller.signal.aborted || errorCode(error) === "session_expired") return;
          // A network blip: the next poll tries again.
        }
      }
      timer = setTimeout(poll, waitlistTiming.pollMs);
    };
    timer = setTimeout(poll, waitlistTiming.pollMs);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [performanceId, waiting]);
  return entry;
}

interface EntryProps {
  entry: WaitlistEntry;
  /** Move focus to the position (or the offer) when shown: right after joining. */
  focus?: boolean;
  announce: (message: string) => void;
  onGone: () => void;
  onLeft: () => void;
  head?: (entry: WaitlistEntry) => ComponentChildren;
}

/** One entry: the place in line, or the offer's link; and leaving. */
function Entry({ entry: initial, focus = false, announce, onGone, onLeft, head }: EntryProps) {
  const entry = useFollowedEntry(initial, announce, onGone);
  const statusRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (focus) statusRef.current?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const offer = entry.status === "offered" ? entry.offer_order : null;
  return (
    <>
      {head?.(entry)}
      <div class="waitlist-entry" data-waitlist-status={entry.status}>
        {offer ? (
          <OfferLink orderId={offer} linkRef={statusRef} />
        ) : (
          <>
            <p class="waitlist-position" ref={statusRef as RefObject<HTMLParagraphElement>} tabIndex={-1}>
              {positionSentence(entry)}
            </p>
            <p class="meta">{t("When seats come free they are offered in the order people joined: held for you, with an email and a link to pay.")}</p>
          </>
        )}
        <LeaveWaitlist entry={entry} onLeft={onLeft} />
      </div>
    </>
  );
}

/** "Seats are held for you until 20:15 — complete payment": the offer order's own hold. */
function OfferLink({ orderId, linkRef }: { orderId: string; linkRef: RefObject<HTMLElement> }) {
  const [order] = useResource((signal) => api.order(orderId, signal), [orderId]);
  const until = order.state === "ok" && order.data.status === "pending" ? order.data.expires_at : null;
  return (
    <p class="offer">
      <a class="offer-link" href={`/tickets/${encodeURIComponent(orderId)}`}
         ref={linkRef as RefObject<HTMLAnchorElement>}>
        {until ? <>{t("Seats are held for you until")} <time dateTime={until}>{timeOfDay(until)}</time> {t("— complete payment")}</>
          : t("Seats are held for you — complete payment")}
      </a>
    </p>
  );
}

/**
 * One click while waiting. Holding an offer, leaving declines it (the seats go to the next
 * in line), so that asks first, as cancelling an order does.
 */
function LeaveWaitlist({ entry, onLeft }: { entry: WaitlistEntry; onLeft: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  const offered = entry.status === "offered";

  const leave = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.leaveWaitlist(entry.performance.id);
    } catch (e) {
      // 404: already off the list (another tab, or the offer ended): the same outcome.
      if (!(e instanceof ApiError && e.status === 404)) {
        setError(e);
        setBusy(false);
        return;
      }
    }
    onLeft();
  };

  return (
    <div class="order-actions">
      {offered && confirming ? (
        <div class="confirm" role="group" aria-label={t("Confirm leaving the waiting list")}>
          <p>{t("Leave the waiting list? The seats held for you go to the next person in line.")}</p>
          <button type="button" class="button button-danger" disabled={busy} onClick={leave} ref={confirmRef}>
            {busy ? t("Leaving…") : t("Yes, leave")}
          </button>
          <button type="button" class="button button-secondary" disabled={busy} onClick={() => setConfirming(false)}>
            {t("Keep my seats")}
          </button>
        </div>
      ) : (
        <button type="button" class="button button-secondary" disabled={busy} aria-busy={busy || undefined}
                onClick={offered ? () => setConfirming(true) : leave}>
          {busy ? t("Leaving…") : t("Leave the waiting list")}
        </button>
      )}
      {error !== null && (
        <div class="inline-error" role="alert">
          <p>{errorMessage(error)}</p>
          {errorCode(error) === "session_expired" && (
            <button type="button" class="button button-secondary" onClick={() => void signIn()}>{t("Sign in again")}</button>
          )}
        </div>
      )}
    </div>
  );
}

/** Seats wanted and the fewest accepted. Refusals that change what the performance offers
 * (seats on sale again, sales closed) go to `onRefused`, a list turned off by staff to
 * `onClosed`; the rest are shown here. */
function JoinForm({ performanceId, initialSeats, onJoined, onRefused, onClosed }: {
  performanceId: number; initialSeats?: number;
  onJoined: (entry: WaitlistEntry) => void; onRefused: (error: unknown) => void; onClosed: () => void;
}) {
  const [seats, setSeats] = useState(() => Math.min(MAX_SEATS, Math.max(1, initialSeats || 1)));
  const [minSeats, setMinSeats] = useState(seats);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const inFlight = useRef(false);
  const id = `wl-${performanceId}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (inFlight.current) return; // a double click sends one request
    inFlight.current = true;
    setBusy(true);
    setError(null);
    try {
      onJoined(await api.joinWaitlist(performanceId, { seats, min_seats: Math.min(minSeats, seats) }));
    } catch (e) {
      const code = errorCode(e);
      if (code === "already_waiting") {
        // Joined already (another tab, or a retry after a lost answer): show where they stand.
        const entry = await api.waitlistEntry(performanceId).catch(() => null);
        if (entry) { onJoined(entry); return; }
      }
      if (code === "seats_available" || code === "sales_closed") onRefused(e);
      else if (code === "waitlist_closed") onClosed();
      else setError(e);
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  const changeSeats = (n: number) => {
    // "No fewer" stays "no fewer"; otherwise the fewest accepted never exceeds the seats.
    setMinSeats((m) => (m >= seats ? n : Math.min(m, n)));
    setSeats(n);
    setError(null);
  };

  return (
    <form class="waitlist-join" onSubmit={submit} aria-describedby={error !== null ? `${id}-error` : undefined}>
      <div class="field">
        <label for={`${id}-seats`}>{t("Seats")}</label>
        <select id={`${id}-seats`} value={String(seats)} disabled={busy}
                onChange={(e) => changeSeats(Number(e.currentTarget.value))}>
          {Array.from({ length: MAX_SEATS }, (_, i) => i + 1).map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </div>
      {seats > 1 && (
        <div class="field">
          <label for={`${id}-min`}>{t("I'd accept fewer, down to")}</label>
          <select id={`${id}-min`} value={String(Math.min(minSeats, seats))} disabled={busy}
                  onChange={(e) => setMinSeats(Number(e.currentTarget.value))}>
            {Array.from({ length: seats }, (_, i) => seats - i).map((n) => (
              <option key={n} value={n}>{n === seats ? t("{n} (no fewer)", { n }) : n}</option>
            ))}
          </select>
        </div>
      )}
      <button type="submit" class="button" disabled={busy} aria-busy={busy || undefined}>
        {busy ? t("Joining…") : t("Join the waiting list")}
      </button>
      {error !== null && (
        <div id={`${id}-error`} class="inline-error" role="alert">
          <p>{errorMessage(error)}</p>
          {errorCode(error) === "session_expired" && (
            <button type="button" class="button button-secondary" onClick={() => void signIn()}>{t("Sign in again")}</button>
          )}
        </div>
      )}
    </form>
  );
}

/**
 * A sold-out performance's waiting list on the show page. `seats`: what the customer tried
 * to reserve, as the form's first choice. `onRefused`: the list is not the way in after all
 * (seats on sale again, sales closed) — the show page says why and reloads.
 */
export function WaitlistPanel({ performance: p, seats, onRefused }:
    { performance: Performance; seats?: number; onRefused: (error: unknown) => void }) {
  const session = useSession();
  const token = session?.accessToken;
  // undefined: not known yet; null: not on the list.
  const [entry, setEntry] = useState<WaitlistEntry | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const [said, setSaid] = useState("");
  const [joinedHere, setJoinedHere] = useState(false);
  const [closed, setClosed] = useState(false);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const focusNotice = useRef(false);

  useEffect(() => {
    if (!token) return;
    const controller = new AbortController();
    setEntry(undefined);
    api.waitlistEntry(p.id, controller.signal).then(
      (found) => { if (!controller.signal.aborted) setEntry(found); },
      // Unknown: offer the form; joining says so if they are on the list already.
      () => { if (!controller.signal.aborted) setEntry(null); });
    return () => controller.abort();
  }, [token, p.id]);

  // After leaving (or a refusal) focus goes to the sentence that replaced the button.
  useEffect(() => {
    if (focusNotice.current && entry === null) {
      focusNotice.current = false;
      noticeRef.current?.focus();
    }
  }, [notice, entry, closed]);

  const headingId = `wl-${p.id}-title`;
  const intro = <p>{t("Seats that come free are offered to the waiting list first, in the order people joined.")}</p>;
  let body: ComponentChildren;
  if (!session) {
    body = (
      <>
        {intro}
        <button type="button" class="button" onClick={() => void signIn()}>{t("Sign in to join the waiting list")}</button>
      </>
    );
  } else if (closed) {
    body = <p class="notice" ref={noticeRef} tabIndex={-1}>{t("This performance has no waiting list.")}</p>;
  } else if (entry === undefined) {
    body = <p class="meta">{t("Checking the waiting list…")}</p>;
  } else if (entry) {
    body = (
      <Entry entry={entry} focus={joinedHere} announce={setSaid}
             onGone={() => { setNotice(gone()); setSaid(gone()); setEntry(null); }}
             onLeft={() => { focusNotice.current = true; setNotice(t("You left the waiting list.")); setEntry(null); }} />
    );
  } else {
    body = (
      <>
        {notice && <p class="notice" ref={noticeRef} tabIndex={-1}>{notice}</p>}
        {intro}
        <JoinForm performanceId={p.id} initialSeats={seats} onRefused={onRefused}
                  onClosed={() => { focusNotice.current = true; setClosed(true); }}
                  onJoined={(joined) => { setNotice(null); setJoinedHere(true); setEntry(joined); }} />
      </>
    );
  }
  return (
    <div class="waitlist" data-waitlist={p.id}>
      <h4 id={headingId}>{t("Waiting list")}</h4>
      {body}
      <p class="visually-hidden" aria-live="polite" aria-atomic="true">{said}</p>
    </div>
  );
}

/** My tickets: the lists the customer is on, each with its place in line or its offer. */
export function WaitingLists() {
  const session = useSession();
  const token = session?.accessToken;
  const [list, reload, replace] = useResource(
    (signal) => (token ? api.myWaitlists(signal) : Promise.resolve([])), [token]);
  const [notice, setNotice] = useState<{ text: string; focus: boolean } | null>(null);
  const [said, setSaid] = useState("");
  const noticeRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (notice?.focus) noticeRef.current?.focus();
  }, [notice]);

  if (list.state === "loading") return null;
  if (list.state === "error") {
    const code = errorCode(list.error);
    // The orders below say it already, with the button to sign in again.
    if (code === "session_expired" || code === "not_authenticated") return null;
    return (
      <div class="inline-error waitlists-error" role="alert">
        <p>{t("Your waiting lists could not be loaded.")} {errorMessage(list.error)}</p>
        <button type="button" class="button button-secondary" onClick={reload}>{t("Try again")}</button>
      </div>
    );
  }
  const entries = list.data;
  if (entries.length === 0 && !notice) return null;
  const end = (entry: WaitlistEntry, text: string, focus: boolean) => {
    replace(entries.filter((e) => e.performance.id !== entry.performance.id));
    setNotice({ text, focus });
    if (!focus) setSaid(text);
  };
  return (
    <section class="waitlists" aria-labelledby="waitlists-title">
      <h2 id="waitlists-title">{t("Waiting lists")}</h2>
      {notice && <p class="notice" ref={noticeRef} tabIndex={-1}>{notice.text}</p>}
      {entries.length > 0 && (
        <ul class="waitlist-entries" role="list">
          {entries.map((entry) => (
            <li key={entry.performance.id}>
              <WaitlistCard entry={entry} announce={setSaid}
                            onGone={() => end(entry, gone(), false)}
                            onLeft={() => end(entry, entry.performance.show?.title ? t("You left the waiting list for {title}.", { title: entry.performance.show.title }) : t("You left the waiting list for this performance."), true)} />
            </li>
          ))}
        </ul>
      )}
      <p class="visually-hidden" aria-live="polite" aria-atomic="true">{said}</p>
    </section>
  );
}

const entryBadges = (): Partial<Record<WaitlistEntry["status"], string>> => ({
  waiting: t("Waiting"),
  offered: t("Seats held for you"),
});

function WaitlistCard({ entry, announce, onGone, onLeft }:
    { entry: WaitlistEntry; announce: (message: string) => void; onGone: () => void; onLeft: () => void }) {
  const p = entry.performance;
  const headingId = `waitlist-${p.id}`;
  const head = (current: WaitlistEntry) => (
    <header class="order-head">
      <h3 id={headingId}>
        {p.show?.slug
          ? <a href={`/shows/${encodeURIComponent(p.show.slug)}`}>{p.show.title} — <time dateTime={p.starts_at}>{dateTime(p.starts_at)}</time></a>
          : <time dateTime={p.starts_at}>{dateTime(p.starts_at)}</time>}
      </h3>
      <span class={`badge badge-waitlist-${current.status}`}>{entryBadges()[current.status] ?? current.status}</span>
    </header>
  );
  return (
    <article class="order waitlist-card" aria-labelledby={headingId} data-waitlist={p.id}>
      <Entry entry={entry} announce={announce} onGone={onGone} onLeft={onLeft}
             head={(current) => (
               <>
                 {head(current)}
                 {p.venue && <p class="meta"><span>{p.venue.name}, {p.venue.city}</span></p>}
               </>
             )} />
    </article>
  );
}
