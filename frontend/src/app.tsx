/** The shell: skip link, header with navigation and the session, and the routes. */

import { signIn, signOut } from "./auth";
import { LanguageSwitcher, useLanguage } from "./language";
import { t } from "./i18n";
import { match, useLocation } from "./router";
import { useSession } from "./session";
import { AuthCallback } from "./views/AuthCallback";
import { InfoList, InfoPage } from "./views/Info";
import { NotFound } from "./views/NotFound";
import { ShowDetail } from "./views/ShowDetail";
import { ShowList } from "./views/ShowList";
import { MyTickets, OrderPage } from "./views/Tickets";
import { lazyView } from "./views/common";
import { useWaking } from "./waking";

/** The gift-card page: a chunk of its own (most visitors never open it). */
const GiftCards = lazyView<Record<string, never>>(
  () => import("./views/GiftCards").then((m) => m.GiftCards));

// project/spa.py's CLIENT_ROUTES lists these paths too (other paths get a 404 status);
// test/routes.test.tsx keeps the two in step.
function Route() {
  const { path, search } = useLocation();
  let params;
  if (path === "/" || path === "/shows" || path === "/shows/") return <ShowList search={search} />;
  if ((params = match("/shows/:slug", path))) return <ShowDetail key={params.slug} slug={params.slug} />;
  if (path === "/tickets" || path === "/tickets/") return <MyTickets search={search} />;
  if ((params = match("/tickets/:id", path))) return <OrderPage key={params.id} id={params.id} search={search} />;
  if (path === "/gift-cards" || path === "/gift-cards/") return <GiftCards />;
  if (path === "/info" || path === "/info/") return <InfoList />;
  if ((params = match("/info/:slug", path))) return <InfoPage key={params.slug} slug={params.slug} />;
  if (path === "/auth/callback") return <AuthCallback search={location.search} />;
  return <NotFound />;
}

function Header() {
  const session = useSession();
  const { path } = useLocation();
  const current = (prefix: string) =>
    (prefix === "/" ? path === "/" || path.startsWith("/shows") : path.startsWith(prefix)) ? "page" : undefined;
  return (
    <header class="site-header">
      <div class="wrap header-inner">
        <a class="brand" href="/">Marquee</a>
        <nav aria-label={t("Main")}>
          <ul role="list">
            <li><a href="/" aria-current={current("/")}>{t("Shows")}</a></li>
            <li><a href="/tickets" aria-current={current("/tickets")}>{t("My tickets")}</a></li>
            <li><a href="/gift-cards" aria-current={current("/gift-cards")}>{t("Gift cards")}</a></li>
            <li><a href="/info" aria-current={current("/info")}>{t("Info")}</a></li>
          </ul>
        </nav>
        <LanguageSwitcher />
        <div class="account">
          {session ? (
            <>
              {session.email && <span class="who" title={session.email}>{session.email}</span>}
              <button type="button" class="button button-secondary" onClick={signOut}>{t("Sign out")}</button>
            </>
          ) : (
            <button type="button" class="button" onClick={() => void signIn()}>{t("Sign in")}</button>
          )}
        </div>
      </div>
    </header>
  );
}

/** Shown while a request waits for a paused database to resume (waking.ts). */
function WakingUp() {
  const waking = useWaking();
  return (
    <div class="waking" role="status" aria-live="polite">
      {waking && <p class="wrap">Waking up the box office… one moment, we will carry on by ourselves.</p>}
    </div>
  );
}

export function App() {
  // Keyed by language: a switch renders every page again and fetches its content anew (the
  // API answers in the request's language).
  const language = useLanguage();
  return (
    <>
      <a class="skip-link" href="#main">{t("Skip to content")}</a>
      <Header key={`h-${language}`} />
      <WakingUp />
      <main id="main" class="wrap" tabIndex={-1}>
        <Route key={language} />
      </main>
      <footer class="site-footer">
        <div class="wrap"><a href="/info">{t("Visiting, access and FAQ")}</a></div>
      </footer>
    </>
  );
}
