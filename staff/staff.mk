# Staff tools (staff/): door mode and the sales dashboard. Included by the root Makefile
# after frontend/frontend.mk (its `spa` and `chromium` targets).
#   make screenshots  - run the browser tests that draw door mode and the sales dashboard
#                       and copy their PNGs (each at most 150 KB) into docs/screenshots/
# The tests write to var/screenshots/ (ignored by git), so `make test` leaves the committed
# pictures alone; another part of the build adds its own with SCREENSHOT_TESTS/NAMES.
.PHONY: screenshots

SCREENSHOT_TESTS += staff/tests/test_door_browser.py staff/tests/test_dashboard_browser.py
SCREENSHOT_NAMES += door-360 door-1000 door-valid-360 door-already-checked-in-360 \
                    door-wrong-performance-360 door-scans-360 \
                    dashboard-1000 dashboard-360 dashboard-index-1000

screenshots: $(VENV)/.dev-installed spa chromium
	@for name in $(SCREENSHOT_NAMES); do rm -f var/screenshots/$$name.png; done
	$(PY) -m pytest -p no:randomly $(SCREENSHOT_TESTS)
	@mkdir -p docs/screenshots
	@for name in $(SCREENSHOT_NAMES); do \
	  if [ ! -f var/screenshots/$$name.png ]; then \
	    echo "var/screenshots/$$name.png was not made (a skipped test? PostgreSQL and Chromium are needed)"; \
	    exit 1; fi; \
	  cp var/screenshots/$$name.png docs/screenshots/; \
	done
	@ls -l $(addprefix docs/screenshots/,$(addsuffix .png,$(SCREENSHOT_NAMES)))
