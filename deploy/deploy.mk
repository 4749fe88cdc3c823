# Deployment (DEPLOY.md). Included by the root Makefile.
STAGE ?= production
PROFILE ?= small
CANARY ?=
DIST_ZIP := dist/marquee-$(STAGE).zip

.PHONY: cost package release rollback deploy-frontend collectstatic deploy-lint infra infra-settings

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

# The AWS stacks of a stage in order (network, backend, data, auth: deploy/infra.py), then
# their outputs into zappa_settings.json. DOMAIN=tickets.example.com is required;
# PROFILE=small (the default: pauses when idle) or busy (DEPLOY.md, "Profiles"); optional:
# MULTI_AZ=1, NAT_GATEWAYS=2, CACHE_ENGINE=redis, DB_INSTANCE_CLASS=db.t4g.small,
# EMAIL_IDENTITY_ARN=arn:aws:ses:…:identity/example.com (the sender of the order emails and,
# required for the auth stack, of the sign-in codes), EMAIL_FROM="Marquee <tickets@…>".
# DATABASE_ENGINE=aurora-serverless|rds and MIN_CAPACITY=0.5 (instead of the profile's).
infra: $(VENV)/.dev-installed
	@if [ -z "$(DOMAIN)" ]; then echo "make infra STAGE=$(STAGE) DOMAIN=tickets.example.com"; exit 2; fi
	$(PY) deploy/infra.py deploy --stage $(STAGE) --domain $(DOMAIN) --profile $(PROFILE) $(if $(MULTI_AZ),--multi-az) \
	  $(if $(NAT_GATEWAYS),--nat-gateways $(NAT_GATEWAYS)) $(if $(CACHE_ENGINE),--cache-engine $(CACHE_ENGINE)) \
	  $(if $(DB_INSTANCE_CLASS),--db-instance-class $(DB_INSTANCE_CLASS)) \
	  $(if $(EMAIL_IDENTITY_ARN),--email-identity-arn $(EMAIL_IDENTITY_ARN)) \
	  $(if $(EMAIL_FROM),--email-from "$(EMAIL_FROM)") \
	  $(if $(DATABASE_ENGINE),--database-engine $(DATABASE_ENGINE)) \
	  $(if $(MIN_CAPACITY),--min-capacity $(MIN_CAPACITY))
	$(PY) deploy/infra.py settings --stage $(STAGE) --write

# The stacks' outputs into zappa_settings.json again (e.g. after the front stack).
infra-settings: $(VENV)/.dev-installed
	$(PY) deploy/infra.py settings --stage $(STAGE) --write

deploy-lint: $(VENV)/.dev-installed
	$(VENV)/bin/cfn-lint deploy/templates/*.yaml

# The handler tests unzip the real package.
TEST_PREREQS += package

# The monthly bill of a profile at idle, item by item, and the cost of 1,000 more orders,
# from the templates' resources and parameters and deploy/prices.py (DEPLOY.md, "Cost").
cost: $(VENV)/.dev-installed
	$(PY) deploy/cost.py --profile $(PROFILE)
