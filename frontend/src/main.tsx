import { render } from "preact";
import { App } from "./app";
import { language, loadCatalogue } from "./i18n";
import { interceptLinks } from "./router";
import "./styles.css";

interceptLinks(document);
// In French, the catalogue first (a small chunk): the first render is already in French.
loadCatalogue(language()).catch(() => { /* unreachable chunk: English rather than nothing */ })
  .finally(() => render(<App />, document.getElementById("app")!));
