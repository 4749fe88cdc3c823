import { t } from "../i18n";
import { PageTitle } from "./common";

export function NotFound() {
  return (
    <section class="not-found" aria-labelledby="page-title">
      <PageTitle title={t("Page not found")}>{t("Page not found")}</PageTitle>
      <p>{t("We could not find that page. It may have moved, or the show may be over.")}</p>
      <p><a class="button" href="/">{t("See what's on")}</a></p>
    </section>
  );
}
