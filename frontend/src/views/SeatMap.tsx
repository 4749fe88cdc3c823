/**
 * The seat picker of a seated performance: the layout drawn as SVG (fetched apart and cached
 * for long), the taken seats from the short-lived availability bitmap, zones coloured with a
 * legend and prices. Mouse or touch: click a seat; keyboard: arrow keys move between seats,
 * Enter or Space selects; every change is announced. Zoom buttons and drag to pan on phones.
 * Or best available: a zone and how many, and the server chooses (its statement picks the
 * seats it takes); the seats it chose are then shown on the map as the customer's ("yours"),
 * as are those of the customer's other orders for this performance.
 */

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, newIdempotencyKey, type Layout, type Order, type OrderPage, type Performance,
         type ReserveBody, type SeatAvailability, type VoucherPreview,
         type WaitingRoomStanding } from "../api";
import { signIn } from "../auth";
import { money } from "../format";
import { t, tn } from "../i18n";
import { navigate } from "../router";
import { useSession } from "../session";
import { CodesFields, estimateLines, type CodesChoice } from "./Codes";
import { ErrorState, Loading, errorMessage, useResource } from "./common";
import { waitEstimate, waitingRoomTiming } from "./ShowDetail";

/** Refusals that mean: queue in the performance's waiting room first (issue 20). */
const ADMISSION_CODES = ["admission_required", "admission_expired", "admission_invalid"];

export const MAX_SEATS = 10;
// Colour-blind-safe hues (Okabe–Ito), dark enough for a white outline.
const ZONE_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];
const R = 4;

export interface SeatInfo {
  index: number;
  id: number;
  label: string;
  row: string;
  x: number;
  y: number;
  zone: string;
  flags: number;
}

/** Bit i of the availability bitmap (most significant first): the seat is taken. */
export function takenSet(base64: string, count: number): Set<number> {
  const bytes = atob(base64);
  const taken = new Set<number>();
  for (let i = 0; i < count; i++) {
    if (bytes.charCodeAt(i >> 3) & (0x80 >> (i & 7))) taken.add(i);
  }
  return taken;
}

export function seatsOf(layout: Layout): SeatInfo[] {
  const s = layout.seats;
  return s.id.map((id, i) => ({
    index: i, id, row: s.row[i], x: s.x[i], y: s.y[i], zone: layout.zones[s.zone[i]],
    flags: s.flags[i],
    label: `${layout.sections[s.section[i]]}, row ${s.row[i]}, seat ${s.number[i]}`,
  }));
}

/** The seats of the customer's orders for this performance that hold or bought them. */
export function mySeats(page: OrderPage, performanceId: number): Set<number> {
  return new Set(page.results
    .filter((o) => o.performance.id === performanceId && (o.status === "confirmed" || o.status === "pending"))
    .flatMap((o) => o.seats.map((s) => s.id)));
}

/** The zones' categories once each, in the order of the zones, with their prices. */
export function zoneCategories(availability: SeatAvailability): { id: number; name: string; price: number }[] {
  const seen = new Map<number, { id: number; name: string; price: number }>();
  for (const z of availability.zones) {
    if (!seen.has(z.category.id)) seen.set(z.category.id, { id: z.category.id, name: z.category.name, price: z.price_cents });
  }
  return [...seen.values()];
}

/** The seat to move to from `from` with an arrow key: the nearest in that direction. */
export function neighbour(seats: SeatInfo[], from: SeatInfo, key: string): SeatInfo | null {
  const dx = key === "ArrowRight" ? 1 : key === "ArrowLeft" ? -1 : 0;
  const dy = key === "ArrowDown" ? 1 : key === "ArrowUp" ? -1 : 0;
  let best: SeatInfo | null = null;
  let bestCost = Infinity;
  for (const seat of seats) {
    const ax = seat.x - from.x;
    const ay = seat.y - from.y;
    const along = ax * dx + ay * dy; // distance in the arrow's direction
    if (along <= 0) continue;
    const across = Math.abs(ax * dy) + Math.abs(ay * dx);
    if (dx !== 0 && across > 0) continue; // left/right stays in the row
    const cost = along + across * 3;
    if (cost < bestCost) { best = seat; bestCost = cost; }
  }
  return best;
}

export function SeatMap({ performance: p, onChange }: { performance: Performance; onChange: () => void }) {
  // `reload` keeps the map (and the picker's selection and message) while it refreshes.
  const fresh = useRef(false);
  const [data, reload] = useResource(async (signal) => {
    const availability = await api.seats(p.id, signal, fresh.current);
    fresh.current = false;
    const layout = await api.layout(availability.layout, availability.layout_version, signal);
    return { availability, layout };
  }, [p.id]);
  if (data.state === "loading") return <Loading label={t("Loading the seat map…")} />;
  if (data.state === "error") return <ErrorState error={data.error} retry={reload} />;
  return <Picker performance={p} layout={data.data.layout} availability={data.data.availability}
                 refresh={() => { fresh.current = true; reload(); onChange(); }} />;
}

function Picker({ performance: p, layout, availability, refresh }:
    { performance: Performance; layout: Layout; availability: SeatAvailability; refresh: () => void }) {
  const session = useSession();
  const seats = useMemo(() => seatsOf(layout), [layout]);
  const taken = useMemo(() => takenSet(availability.taken, availability.seats), [availability]);
  const zones = useMemo(() => {
    const map = new Map<string, { colour: string; name: string; price: number }>();
    layout.zones.forEach((zone, i) => {
      const priced = availability.zones.find((z) => z.zone === zone);
      map.set(zone, { colour: ZONE_COLOURS[i % ZONE_COLOURS.length],
                      name: priced?.category.name ?? zone, price: priced?.price_cents ?? 0 });
    });
    return map;
  }, [layout, availability]);
  const [selected, setSelected] = useState<number[]>([]);
  const [focus, setFocus] = useState(() => Math.max(0, seats.findIndex((s) => !taken.has(s.index))));
  const [announce, setAnnounce] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [takenMessage, setTakenMessage] = useState("");
  const [busy, setBusy] = useState(false);
  // In an announced on-sale's waiting room: where one stands until one's turn.
  const [standing, setStanding] = useState<WaitingRoomStanding | null>(null);
  const [zoom, setZoom] = useState(1);
  const [pan, setPan] = useState({ x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; panX: number; panY: number; moved: boolean } | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const intent = useRef<string | null>(null);
  // "Have a code?": a voucher and a gift card, as the category form has (issue 24).
  const [codes, setCodes] = useState<CodesChoice>({});
  const [preview, setPreview] = useState<VoucherPreview | null>(null);
  // The customer's own seats (their orders for this performance), and best available's form.
  const [mine, setMine] = useState<Set<number>>(() => new Set());
  const categories = useMemo(() => zoneCategories(availability), [availability]);
  const hasWheelchair = useMemo(() => seats.some((s) => s.flags & 1), [seats]);
  const [bestCategory, setBestCategory] = useState<number>(() => categories[0]?.id ?? 0);
  const [bestQuantity, setBestQuantity] = useState(2);
  const [split, setSplit] = useState(false);
  const [wheelchair, setWheelchair] = useState(false);
  const [found, setFound] = useState<Order | null>(null);
  const [bestError, setBestError] = useState<unknown>(null);
  const bestIntent = useRef<string | null>(null);

  useEffect(() => {
    if (!session) return;
    const controller = new AbortController();
    api.orders(undefined, controller.signal)
      .then((page) => setMine((known) => new Set([...known, ...mySeats(page, p.id)])))
      .catch(() => { /* only decoration: the map works without it */ });
    return () => controller.abort();
  }, [p.id, session?.email]);

  const xs = seats.map((s) => s.x);
  const ys = seats.map((s) => s.y);
  const minX = Math.min(...xs) - 2 * R, minY = Math.min(...ys) - 2 * R;
  const width = Math.max(...xs) - minX + 2 * R, height = Math.max(...ys) - minY + 2 * R;
  const viewW = width / zoom, viewH = height / zoom;
  const clampPan = (x: number, y: number) => ({
    x: Math.min(Math.max(x, 0), width - viewW), y: Math.min(Math.max(y, 0), height - viewH) });
  const view = clampPan(pan.x, pan.y);
  // The chosen seats as lines of their zones' categories, priced with the voucher's
  // discounts (an estimate: the server prices them again).
  const zonePrices = availability.zones.map((z) => ({ id: z.category.id, price_cents: z.price_cents }));
  const lines = [...selected.reduce((counts, i) => {
    const category = availability.zones.find((z) => z.zone === seats[i].zone)?.category.id;
    return category === undefined ? counts : counts.set(category, (counts.get(category) ?? 0) + 1);
  }, new Map<number, number>())].map(([category, quantity]) => ({ category, quantity }));
  const total = estimateLines(lines, zonePrices, preview).total;
  const summary = tn(selected.length, "{n} seat selected, {total}", "{n} seats selected, {total}",
                     { total: money(total, availability.currency) });

  const describe = (seat: SeatInfo) => {
    const zone = zones.get(seat.zone);
    const state = mine.has(seat.id) ? t("yours") : taken.has(seat.index) ? t("taken")
      : selected.includes(seat.index) ? t("selected") : t("free");
    const flags = [seat.flags & 1 ? t("wheelchair space") : "", seat.flags & 2 ? t("companion seat") : "",
                   seat.flags & 4 ? t("restricted view") : ""].filter(Boolean).join(", ");
    return `${seat.label}, ${zone?.name ?? seat.zone} ${money(zone?.price, availability.currency)}` +
      `${flags ? `, ${flags}` : ""}, ${state}`;
  };

  const toggle = (seat: SeatInfo) => {
    setFocus(seat.index);
    if (mine.has(seat.id)) { setAnnounce(t("{seat} is yours.", { seat: seat.label })); return; }
    if (taken.has(seat.index)) { setAnnounce(t("{seat} is taken.", { seat: seat.label })); return; }
    intent.current = null;
    setError(null);
    setTakenMessage("");
    if (selected.includes(seat.index)) {
      const next = selected.filter((i) => i !== seat.index);
      setSelected(next);
      setAnnounce(tn(next.length, "{seat} unselected. {n} seat selected.", "{seat} unselected. {n} seats selected.",
                     { seat: seat.label }));
    } else if (selected.length >= MAX_SEATS) {
      setAnnounce(t("At most {n} seats per order.", { n: MAX_SEATS }));
    } else {
      const next = [...selected, seat.index];
      setSelected(next);
      setAnnounce(tn(next.length, "{seat} selected. {n} seat selected.", "{seat} selected. {n} seats selected.",
                     { seat: seat.label }));
    }
  };

  const keepVisible = (seat: SeatInfo) => {
    if (zoom === 1) return;
    setPan(clampPan(seat.x - minX - viewW / 2, seat.y - minY - viewH / 2));
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const current = seats[focus];
    if (event.key.startsWith("Arrow")) {
      event.preventDefault();
      const next = neighbour(seats, current, event.key);
      if (next) {
        setFocus(next.index);
        keepVisible(next);
        (svg.current?.querySelector(`[data-index="${next.index}"]`) as SVGElement | null)?.focus();
      }
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      toggle(current);
    }
  };

  const zoomBy = (factor: number) => {
    const next = Math.min(8, Math.max(1, zoom * factor));
    const cx = view.x + viewW / 2, cy = view.y + viewH / 2;
    setZoom(next);
    setPan({ x: cx - width / next / 2, y: cy - height / next / 2 });
  };

  const onPointerDown = (event: PointerEvent) => {
    drag.current = { x: event.clientX, y: event.clientY, panX: view.x, panY: view.y, moved: false };
  };
  const onPointerMove = (event: PointerEvent) => {
    const d = drag.current;
    const box = svg.current?.getBoundingClientRect();
    if (!d || !box || zoom === 1) return;
    const scale = viewW / box.width;
    const dx = (event.clientX - d.x) * scale, dy = (event.clientY - d.y) * scale;
    if (Math.abs(dx) + Math.abs(dy) > 2) d.moved = true;
    setPan(clampPan(d.panX - dx, d.panY - dy));
  };

  /** Queues in the waiting room until admitted; the admission, or null if it failed. */
  const queue = async (fail: (e: unknown) => void = setError): Promise<string | null> => {
    try {
      let place = await api.joinWaitingRoom(p.id);
      while (!place.admission) {
        setStanding(place);
        await new Promise((r) => setTimeout(r, Math.max(place.retry_after_seconds, 1) * 1000 * waitingRoomTiming.scale));
        place = await api.waitingRoom(p.id);
      }
      return place.admission;
    } catch (e) {
      fail(e);
      return null;
    } finally {
      setStanding(null);
    }
  };

  /** Best available: the server chooses `bestQuantity` seats of the zone's category and
   * takes them; they are shown on the map as the customer's, with the way to the order. */
  const findSeats = async (admission: string | null = null) => {
    if (!session) { void signIn(); return; }
    if (busy && !admission) return;
    bestIntent.current ??= newIdempotencyKey();
    setBusy(true);
    setBestError(null);
    setFound(null);
    const body: ReserveBody = { performance: p.id, best_available: true,
                                lines: [{ category: bestCategory, quantity: bestQuantity }],
                                ...(split ? { split: true } : {}), ...(wheelchair ? { wheelchair: true } : {}),
                                ...(codes.voucher ? { voucher: codes.voucher } : {}),
                                ...(codes.gift_card ? { gift_card: codes.gift_card } : {}) };
    try {
      const order = await api.reserve(body, bestIntent.current, admission);
      bestIntent.current = null;
      setMine((known) => new Set([...known, ...order.seats.map((s) => s.id)]));
      setFound(order);
      setAnnounce(tn(order.seats.length, "We found you {n} seat: {seats}.", "We found you {n} seats: {seats}.",
                     { seats: order.seats.map((s) => s.label).join("; ") }));
      refresh();
    } catch (e) {
      if (e instanceof ApiError && ADMISSION_CODES.includes(e.code) && !admission) {
        const granted = await queue(setBestError);
        if (granted) await findSeats(granted);
        return;
      }
      bestIntent.current = null;
      setBestError(e);
      if (e instanceof ApiError && ["seat_taken", "sold_out", "no_adjacent_seats", "category_sold_out"].includes(e.code)) {
        refresh();
      }
    } finally {
      setBusy(false);
    }
  };

  const reserve = async (admission: string | null = null) => {
    if ((busy && !admission) || selected.length === 0) return;
    intent.current ??= newIdempotencyKey();
    setBusy(true);
    setError(null);
    try {
      const withCodes = { ...(codes.voucher ? { voucher: codes.voucher } : {}),
                          ...(codes.gift_card ? { gift_card: codes.gift_card } : {}) };
      const order = await api.reserve({ performance: p.id, seats: selected.map((i) => seats[i].id),
                                        ...withCodes }, intent.current, admission);
      intent.current = null;
      navigate(`/tickets/${order.id}?reserved=1`);
    } catch (e) {
      if (e instanceof ApiError && ADMISSION_CODES.includes(e.code) && !admission) {
        // An announced on-sale: wait for one's turn, then reserve these seats at once.
        const granted = await queue();
        if (granted) await reserve(granted);
        return;
      }
      intent.current = null;
      if (e instanceof ApiError && e.code === "seat_taken") {
        const gone = new Set((e.problem.seats as number[] | undefined) ?? []);
        const names = seats.filter((s) => gone.has(s.id)).map((s) => s.label);
        setSelected(selected.filter((i) => !gone.has(seats[i].id)));
        const message = t("{seats} was just taken by someone else. The map is updated: please choose another seat.",
                          { seats: names.join("; ") || t("A seat you chose") });
        setTakenMessage(message);
        setAnnounce(message);
        refresh();
      } else {
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="seat-picker">
      <ul class="seat-legend" aria-label={t("Price zones")}>
        {[...zones.entries()].map(([zone, z]) => (
          <li key={zone}><span class="swatch" style={{ background: z.colour }} aria-hidden="true" />
            {z.name} · {money(z.price, availability.currency)}</li>
        ))}
        <li><span class="swatch swatch-taken" aria-hidden="true" />{t("Taken")}</li>
        <li><span class="swatch swatch-selected" aria-hidden="true" />{t("Selected")}</li>
        {mine.size > 0 && <li><span class="swatch swatch-yours" aria-hidden="true" />{t("Yours")}</li>}
      </ul>
      <div class="seat-zoom" role="group" aria-label={t("Zoom")}>
        <button type="button" class="button button-secondary" onClick={() => zoomBy(1.5)}>{t("Zoom in")}</button>
        <button type="button" class="button button-secondary" onClick={() => zoomBy(1 / 1.5)} disabled={zoom === 1}>{t("Zoom out")}</button>
      </div>
      <p id={`seatmap-help-${p.id}`} class="hint">{t("Arrow keys move between seats; Enter selects.")}</p>
      <svg ref={svg} class="seat-map" viewBox={`${minX + view.x} ${minY + view.y} ${viewW} ${viewH}`}
           role="listbox" aria-multiselectable="true" aria-label={t("Seat map, {summary}", { summary })}
           aria-describedby={`seatmap-help-${p.id}`} onKeyDown={onKeyDown}
           onPointerDown={onPointerDown} onPointerMove={onPointerMove}
           onPointerUp={() => { drag.current = null; }} onPointerLeave={() => { drag.current = null; }}>
        {seats.map((seat) => {
          const isMine = mine.has(seat.id);
          const isTaken = taken.has(seat.index) || isMine;
          const isSelected = selected.includes(seat.index);
          return (
            <circle key={seat.id} data-index={seat.index} data-seat={seat.id}
                    class={`seat${isTaken ? " seat-taken" : ""}${isSelected ? " seat-selected" : ""}${isMine ? " seat-yours" : ""}`}
                    cx={seat.x} cy={seat.y} r={R}
                    fill={isMine ? "#fff" : isTaken ? "#9a9a9a" : zones.get(seat.zone)?.colour}
                    role="option" aria-selected={isSelected} aria-disabled={isTaken}
                    aria-label={describe(seat)} tabindex={seat.index === focus ? 0 : -1}
                    onClick={(event) => {
                      if (drag.current?.moved) return;
                      (event.currentTarget as SVGElement).focus(); // arrow keys go on from here
                      toggle(seat);
                    }} />
          );
        })}
      </svg>
      <p class="visually-hidden" aria-live="polite">{announce}</p>
      <p class="seat-summary">
        {selected.length === 0 ? t("Choose your seats on the map.") :
          selected.map((i) => seats[i].label).join("; ")}
      </p>
      {standing && (
        <div class="notice waiting-room" role="status" aria-live="polite" data-position={standing.position}>
          <p><span class="spinner" aria-hidden="true" />{t("You are in the waiting room:")} <strong>{t("number {n} in line", { n: standing.position })}</strong></p>
          <p>{t("Estimated wait: {wait}.", { wait: waitEstimate(standing.estimate_seconds) })}</p>
          <p class="meta">{t("Keep this page open. Reloading keeps your place; it never moves you forward.")}</p>
        </div>
      )}
      {takenMessage && <div class="inline-error seat-taken-message" role="alert"><p>{takenMessage}</p></div>}
      {error !== null && <div class="inline-error" role="alert"><p>{errorMessage(error)}</p></div>}
      {session && (
        <CodesFields performance={p} total={total} tariffs={false}
                     onChange={(choice, found) => { setCodes(choice); setPreview(found); intent.current = null; bestIntent.current = null; setError(null); }} />
      )}
      {session ? (
        <button type="button" class="button" disabled={busy || selected.length === 0} aria-busy={busy}
                onClick={() => void reserve()}>
          {busy ? t("Reserving…") : t("Reserve {summary}", { summary })}
        </button>
      ) : (
        <button type="button" class="button" onClick={() => void signIn()}>{t("Sign in to reserve")}</button>
      )}
      {categories.length > 0 && (
        <form class="best-available" onSubmit={(e) => { e.preventDefault(); void findSeats(); }}
              aria-describedby={bestError !== null ? `best-${p.id}-error` : undefined}>
          <fieldset disabled={busy}>
            <legend>{t("Or let us find the best seats")}</legend>
            <div class="field">
              <label for={`best-${p.id}-zone`}>{t("Zone")}</label>
              <select id={`best-${p.id}-zone`} value={String(bestCategory)}
                      onChange={(e) => setBestCategory(Number(e.currentTarget.value))}>
                {categories.map((c) => (
                  <option key={c.id} value={c.id}>{c.name} · {money(c.price, availability.currency)}</option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={`best-${p.id}-seats`}>{t("Seats")}</label>
              <select id={`best-${p.id}-seats`} value={String(bestQuantity)}
                      onChange={(e) => setBestQuantity(Number(e.currentTarget.value))}>
                {Array.from({ length: MAX_SEATS }, (_, i) => i + 1).map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </div>
            <label class="choice">
              <input type="checkbox" checked={split} onChange={(e) => setSplit(e.currentTarget.checked)} />
              {t("Seats apart are fine")}
            </label>
            {hasWheelchair && (
              <label class="choice">
                <input type="checkbox" checked={wheelchair} onChange={(e) => setWheelchair(e.currentTarget.checked)} />
                {t("Include a wheelchair space")}
              </label>
            )}
            <button type="submit" class="button" aria-busy={busy || undefined}>
              {t("Find me seats")}
            </button>
          </fieldset>
          {bestError !== null && (
            <div id={`best-${p.id}-error`} class="inline-error" role="alert"><p>{errorMessage(bestError)}</p></div>
          )}
        </form>
      )}
      {found && (
        <div class="notice notice-success seats-found" role="status">
          <p>{tn(found.seats.length, "We found you {n} seat:", "We found you {n} seats:")}</p>
          <ul>{found.seats.map((s) => <li key={s.id} class="ticket-seat">{s.label}</li>)}</ul>
          <button type="button" class="button" onClick={() => navigate(`/tickets/${found.id}?reserved=1`)}>
            {t("Go to your order")}
          </button>
        </div>
      )}
    </div>
  );
}
