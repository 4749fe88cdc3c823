"""Translation catalogues on both sides, and the check that nothing reaches a person
untranslated.

- Django: gettext .po files under locale/ (`makemessages` extracts, `compilemessages`
  compiles; the .mo files are committed, so the package step and Lambda need no gettext).
  msgids are the English text, so English is complete by construction; French is missing
  where a msgid has an empty or fuzzy msgstr, or is not in the .po at all.
- The SPA: every string a person reads goes through `t("…")` or `tn(n, "…", "…")`
  (frontend/src/i18n.ts) with a double-quoted English literal; frontend/src/locales/fr.json
  maps each to French. Missing: a literal with no (or an empty) French entry.

`python manage.py translations --update` (`make messages`) extracts both and compiles;
`--check` (and languages/tests/test_catalogues.py in `make test`) lists what is missing.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import tempfile
from collections.abc import Iterable
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

ROOT = Path(settings.BASE_DIR)
TRANSLATED = ("fr",)  # English is the source language on both sides
# Where Django's translatable strings live: our apps (python, templates, text emails).
DJANGO_SOURCES = ("project", "shows", "tickets", "info", "payments", "notifications", "staff",
                  "languages", "devauth", "seating", "vouchers")
IGNORE = ["tests/*", "*/tests/*", "migrations/*", "*/migrations/*", "static/*", "*/static/*"]
SPA_SOURCES = ROOT / "frontend" / "src"
SPA_CATALOGUE = SPA_SOURCES / "locales" / "{language}.json"
_STRING = r'"(?:[^"\\\n]|\\.)*"'
SPA_CALLS = re.compile(rf"\bt\(\s*({_STRING})|\btn\(\s*[^,()]+,\s*({_STRING})\s*,\s*({_STRING})")


@dataclass(frozen=True)
class Missing:
    side: str       # "django" or "spa"
    language: str
    text: str
    where: str      # a file (and line) that uses it

    def __str__(self) -> str:
        return f"{self.side} [{self.language}] {self.text!r} ({self.where})"


# ---------------------------------------------------------------- Django (.po)

def po_entries(text: str) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr(s), flags, references."""
    entries, entry, key = [], None, None

    def close() -> None:
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for line in text.splitlines():
        line = line.strip()
        if not line:
            close()
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "refs": [], "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#:"):
            entry["refs"].extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[", "msgctxt ")):
            head, _, literal = line.partition(" ")
            value = ast.literal_eval(literal)
            if head.startswith("msgstr"):
                key = ("msgstr", head[7:-1] if head.startswith("msgstr[") else "0")
                entry["msgstr"][key[1]] = value
            else:
                key = (head, None)
                entry[head] = value
        elif line.startswith('"') and key is not None:
            value = ast.literal_eval(line)
            if key[0] == "msgstr":
                entry["msgstr"][key[1]] += value
            else:
                entry[key[0]] += value
    close()
    return [e for e in entries if e.get("msgid")]  # the header has an empty msgid


def po_missing(text: str, language: str) -> list[Missing]:
    return [Missing("django", language, e["msgid"], (e["refs"] or ["?"])[0])
            for e in po_entries(text)
            if "fuzzy" in e["flags"] or not all(e["msgstr"].values()) or not e["msgstr"]]


def django_missing(root: Path = ROOT, sources: Iterable[str] = DJANGO_SOURCES,
                   languages: Iterable[str] = TRANSLATED) -> list[Missing]:
    """Extract every string of `sources` afresh (makemessages, on a copy, so the working
    tree is untouched) and merge it with the committed catalogue: what has no translation."""
    languages = list(languages)
    with tempfile.TemporaryDirectory(prefix="marquee-messages-") as tmp:
        copy = Path(tmp)
        for name in sources:
            if (root / name).is_dir():
                shutil.copytree(root / name, copy / name, ignore=shutil.ignore_patterns(
                    "__pycache__", "static", "node_modules", "*.pyc", "*.mo"))
        if (root / "locale").is_dir():
            shutil.copytree(root / "locale", copy / "locale",
                            ignore=shutil.ignore_patterns("*.mo"))
        with override_settings(LOCALE_PATHS=[copy / "locale"]), chdir(copy):
            call_command("makemessages", locale=languages, no_obsolete=True,
                         ignore_patterns=IGNORE, verbosity=0)
        return [missing for language in languages for missing in po_missing(
            (copy / "locale" / language / "LC_MESSAGES" / "django.po").read_text("utf-8"),
            language)]


def mo_stale(root: Path = ROOT, languages: Iterable[str] = TRANSLATED) -> list[str]:
    """Compiled catalogues (.mo) that do not say what their .po says."""
    import gettext

    stale = []
    for language in languages:
        folder = root / "locale" / language / "LC_MESSAGES"
        po, mo = folder / "django.po", folder / "django.mo"
        if not mo.exists():
            stale.append(str(mo))
            continue
        with mo.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        for entry in po_entries(po.read_text("utf-8")):
            if "fuzzy" in entry["flags"]:
                continue
            if "msgid_plural" in entry:
                want = {(entry["msgid"], int(i)): s for i, s in entry["msgstr"].items()}
            else:
                want = {entry["msgid"]: entry["msgstr"]["0"]}
            if any(compiled.get(k) != v for k, v in want.items() if v):
                stale.append(f"{mo} ({entry['msgid']!r})")
                break
    return stale


# ---------------------------------------------------------------- the SPA (JSON)

def spa_strings(sources: Path = SPA_SOURCES) -> dict[str, str]:
    """Every literal passed to t()/tn() in the SPA's sources → the first place it is used."""
    found: dict[str, str] = {}
    for path in sorted([*sources.rglob("*.ts"), *sources.rglob("*.tsx")]):
        if path.name in {"api-types.ts", "i18n.ts"}:  # i18n.ts: the mechanism, no strings
            continue
        text = path.read_text("utf-8")
        for match in SPA_CALLS.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            for literal in match.groups():
                if literal:
                    found.setdefault(json.loads(literal),
                                     f"{path.relative_to(sources.parent)}:{line}")
    return found


def spa_catalogue(language: str, sources: Path = SPA_SOURCES) -> dict[str, str]:
    path = sources / "locales" / f"{language}.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def spa_missing(sources: Path = SPA_SOURCES,
                languages: Iterable[str] = TRANSLATED) -> list[Missing]:
    strings = spa_strings(sources)
    result = []
    for language in languages:
        catalogue = spa_catalogue(language, sources)
        result += [Missing("spa", language, text, where) for text, where in strings.items()
                   if not catalogue.get(text, "").strip()]
    return result


def spa_update(sources: Path = SPA_SOURCES, languages: Iterable[str] = TRANSLATED) -> None:
    """Add every new string (empty, to translate) and drop those no longer used."""
    strings = spa_strings(sources)
    for language in languages:
        old = spa_catalogue(language, sources)
        new = {text: old.get(text, "") for text in sorted(strings, key=str.casefold)}
        path = sources / "locales" / f"{language}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(new, ensure_ascii=False, indent=1) + "\n", "utf-8")


def django_update(root: Path = ROOT, languages: Iterable[str] = TRANSLATED) -> None:
    with chdir(root):
        call_command("makemessages", locale=list(languages), no_obsolete=True,
                     ignore_patterns=[*IGNORE, "frontend/*", "bench/*", "deploy/*", "docs/*",
                                      "var/*", "dist/*", "build/*", ".venv/*",
                                      "conftest.py"], verbosity=1)
        call_command("compilemessages", locale=list(languages), verbosity=1,
                     ignore_patterns=[".venv/*", "node_modules/*"])
