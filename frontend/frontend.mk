# The single-page app (frontend/): included by the root Makefile.
#   make spa            - install pinned npm packages (npm ci) and build frontend/dist
#   make test-frontend  - Vitest unit tests, the OpenAPI types check and the bundle budget
#   make chromium       - Debian's Chromium for the end-to-end test (frontend/e2e), if missing
.PHONY: spa test-frontend chromium gen-api

FRONTEND := frontend
NPM := npm --prefix $(FRONTEND) --no-audit --no-fund
CHROMIUM ?= /usr/bin/chromium

$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	@command -v npm >/dev/null || { echo "Node 20 and npm are needed for the SPA (e.g. 'apt-get install nodejs npm')."; exit 1; }
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	@touch $@

spa: $(FRONTEND)/node_modules/.installed
	$(NPM) run build

gen-api: $(FRONTEND)/node_modules/.installed
	$(NPM) run gen:api

test-frontend: spa
	$(NPM) test

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Debian's chromium and chromium-driver for the browser tests"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver; \
	fi

RUN_PREREQS += spa
TEST_PREREQS += chromium test-frontend

# `make screenshots` (staff/staff.mk) also refreshes the SPA's pictures in the README: the
# browser tests draw them (shows list, a show, the payment step, a paid order, the waitlist,
# price categories, a paid order's labelled codes, an on-sale countdown).
SCREENSHOT_TESTS += frontend/e2e/test_e2e.py frontend/e2e/test_checkout_e2e.py \
                    frontend/e2e/test_waitlist_e2e.py frontend/e2e/test_categories_e2e.py
SCREENSHOT_NAMES += shows-360 shows-1280 show-1280 payment-1280 payment-360 paid-order-1280 \
                    order-360 waitlist-position-1280 waitlist-offer-360 \
                    categories-390 paid-categories-390 cancelled-with-fee-390 on-sale-countdown-390
