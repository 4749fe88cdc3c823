"""The untranslated-string check of `make test`: every string a person reads has its French,
in the SPA's catalogue and in Django's .po; and the check does fail (listing the string and
where it is used) when a string is added without a translation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.utils import translation

from languages import catalogues
from languages.admin_labels import model_labels

pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None and not __import__(
    "os").environ.get("CI"), reason="gettext tools (xgettext) are needed: apt-get install gettext")


def _report(missing) -> str:
    return ("Untranslated (run `make messages`, then translate these in locale/fr/LC_MESSAGES/"
            "django.po and frontend/src/locales/fr.json):\n"
            + "\n".join(f"  {item}" for item in missing))


def test_every_django_string_has_its_french():
    missing = catalogues.django_missing()
    assert not missing, _report(missing)


def test_every_spa_string_has_its_french():
    missing = catalogues.spa_missing()
    assert not missing, _report(missing)


def test_the_compiled_catalogue_says_what_the_po_says():
    assert catalogues.mo_stale() == [], "run `make messages` to compile locale/"


def test_every_admin_label_of_our_models_has_its_french():
    translated = {e["msgid"] for e in catalogues.po_entries(
        (catalogues.ROOT / "locale/fr/LC_MESSAGES/django.po").read_text("utf-8"))
        if all(e["msgstr"].values())}
    missing = {text: where for text, where in model_labels().items()
               if text not in translated and text not in {"Français", "English"}}
    assert not missing, ("Model labels with no French (add them to languages/admin_labels.py "
                         f"and run `make messages`): {missing}")


def test_french_is_what_a_french_request_gets():
    with translation.override("fr"):
        assert translation.gettext("Sold out") == "Complet"


# ------------------------------------------------------------ the check fails when it should

@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A small project: one app with translated strings, and the real French catalogue."""
    app = tmp_path / "tinyapp"
    (app / "templates").mkdir(parents=True)
    (app / "errors.py").write_text(
        "from django.utils.translation import gettext_lazy as _\n\n"
        'SOLD_OUT = _("Sold out")\n', "utf-8")
    shutil.copytree(catalogues.ROOT / "locale", tmp_path / "locale")
    return tmp_path


def test_the_django_check_passes_then_fails_on_a_new_untranslated_string(project_copy):
    assert catalogues.django_missing(project_copy, sources=["tinyapp"]) == []

    (project_copy / "tinyapp" / "views.py").write_text(
        "from django.utils.translation import gettext as _\n\n\n"
        "def hello():\n"
        '    return _("A sentence nobody translated")\n', "utf-8")
    (project_copy / "tinyapp" / "templates" / "page.html").write_text(
        '{% load i18n %}<p>{% translate "Sold out" %}</p>'
        '<p>{% translate "Nor this one" %}</p>\n', "utf-8")

    missing = sorted(catalogues.django_missing(project_copy, sources=["tinyapp"]),
                     key=lambda m: m.text)
    assert [(m.side, m.language, m.text, m.where) for m in missing] == [
        ("django", "fr", "A sentence nobody translated", "tinyapp/views.py:5"),
        ("django", "fr", "Nor this one", "tinyapp/templates/page.html:1")]
    assert str(missing[0]) == ("django [fr] 'A sentence nobody translated' "
                               "(tinyapp/views.py:5)")
    # The working tree is never written to: the catalogue copy is unchanged.
    assert "nobody translated" not in (project_copy / "locale/fr/LC_MESSAGES/django.po"
                                       ).read_text("utf-8")


@pytest.fixture
def spa_copy(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "locales").mkdir(parents=True)
    (src / "view.tsx").write_text(
        'import { t, tn } from "./i18n";\n'
        'export const a = () => <p>{t("Sign in")}</p>;\n', "utf-8")
    (src / "locales" / "fr.json").write_text(json.dumps({"Sign in": "Se connecter"}), "utf-8")
    return src


def test_the_spa_check_passes_then_fails_on_a_new_untranslated_string(spa_copy):
    assert catalogues.spa_missing(spa_copy) == []
    view = spa_copy / "view.tsx"
    view.write_text(view.read_text("utf-8")
                    + 'export const b = (n: number) => tn(n, "{n} apple", "{n} apples");\n'
                    + 'export const c = () => t("Brand new \\"words\\"", { x: 1 });\n', "utf-8")

    missing = catalogues.spa_missing(spa_copy)
    assert [(m.side, m.language, m.text, m.where) for m in missing] == [
        ("spa", "fr", "{n} apple", "src/view.tsx:3"), ("spa", "fr", "{n} apples", "src/view.tsx:3"),
        ("spa", "fr", 'Brand new "words"', "src/view.tsx:4")]

    # `make messages` adds them to the catalogue, empty: still missing until translated.
    catalogues.spa_update(spa_copy)
    stored = json.loads((spa_copy / "locales" / "fr.json").read_text("utf-8"))
    assert stored == {"Brand new \"words\"": "", "Sign in": "Se connecter", "{n} apple": "",
                      "{n} apples": ""}
    assert len(catalogues.spa_missing(spa_copy)) == 3
    stored |= {"{n} apple": "{n} pomme", "{n} apples": "{n} pommes",
               'Brand new "words"': "Des mots neufs"}
    (spa_copy / "locales" / "fr.json").write_text(json.dumps(stored), "utf-8")
    assert catalogues.spa_missing(spa_copy) == []


def test_a_stale_compiled_catalogue_is_found(tmp_path):
    shutil.copytree(catalogues.ROOT / "locale", tmp_path / "locale")
    po = tmp_path / "locale/fr/LC_MESSAGES/django.po"
    po.write_text(po.read_text("utf-8").replace('msgstr "Complet"', 'msgstr "Tout est vendu"'),
                  "utf-8")
    assert catalogues.mo_stale(tmp_path) == [
        f"{tmp_path}/locale/fr/LC_MESSAGES/django.mo ('Sold out')"]
