import { PageTitle } from "./common";

export function NotFound() {
  return (
    <section class="not-found" aria-labelledby="page-title">
      <PageTitle title="Page not found">Page not found</PageTitle>
      <p>We could not find that page. It may have moved, or the show may be over.</p>
      <p><a class="button" href="/">See what's on</a></p>
    </section>
  );
}
