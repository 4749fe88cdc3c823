# Deployment (DEPLOY.md). Included by the root Makefile.
STAGE ?= production
CANARY ?=
DIST_ZIP := dist/marquee-$(STAGE).zip

.PHONY: package release rollback deploy-frontend collectstatic deploy-lint

# Builds the Lambda zip offline (only the package index is reached) and checks it.
package: $(VENV)/.dev-installed
	$(PY) deploy/package.py --stage $(STAGE) --output $(DIST_ZIP)

# After `zappa update $(STAGE)`: publish a version, move the `live` alias (CANARY=0.1 sends
# 10% to the new version), point API Gateway and its permission at the alias.
release: $(VENV)/.dev-installed
	$(PY) deploy/release.py --stage $(STAGE) $(if $(CANARY),--canary $(CANARY)) $(if $(PROMOTE),--promote)

rollback: $(VENV)/.dev-installed
	$(PY) deploy/release.py --stage $(STAGE) --rollback

# Django's static files go to the stage's static bucket from here, not from Lambda.
collectstatic: $(VENV)/.dev-installed
	$(PY) deploy/release.py --stage $(STAGE) --collectstatic

# Builds the SPA (frontend.mk `spa`), uploads it with its caching headers, invalidates
# CloudFront. Bucket and distribution come from the marquee-$(STAGE)-frontend stack.
deploy-frontend: spa $(VENV)/.dev-installed
	$(PY) deploy/upload_frontend.py --stage $(STAGE) --dist frontend/dist

deploy-lint: $(VENV)/.dev-installed
	$(VENV)/bin/cfn-lint deploy/templates/*.yaml

# The handler tests unzip the real package.
TEST_PREREQS += package
