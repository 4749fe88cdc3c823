# French and English (languages/, issue 26). Included by the root Makefile.
#   make messages - extract every new string on both sides (Django: locale/fr/LC_MESSAGES/
#                   django.po; the SPA: frontend/src/locales/fr.json), compile the .po (the
#                   .mo is committed: neither `make package` nor Lambda needs gettext), then
#                   list what is left to translate. Translate those and run it again.
# `make test` fails while a string has no French (languages/tests/test_catalogues.py).
.PHONY: messages gettext

messages: $(VENV)/.dev-installed gettext
	$(PY) manage.py translations --update
	@$(PY) manage.py translations --check || echo "Translate the strings above, then run make messages again."

gettext:
	@if ! command -v xgettext >/dev/null || ! command -v msgfmt >/dev/null; then \
	  echo "Installing GNU gettext (makemessages and the untranslated-string check need it)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update && apt-get install -y --no-install-recommends gettext; \
	fi

TEST_PREREQS += gettext
