# Benchmarks (bench/): one table of figures against floors measured in the same run.
# Included by the root Makefile. Needs PostgreSQL and Redis on 127.0.0.1, dist/ zip
# (`make package`, built if missing) and frontend/dist (`make spa`, built if missing).
.PHONY: bench bench-quick bench-http

bench: $(VENV)/.dev-installed
	$(PY) -m bench.run

bench-quick: $(VENV)/.dev-installed
	$(PY) -m bench.run --quick

# Only the HTTP figures (gunicorn, bench/http_load.py): about 45 s.
bench-http: $(VENV)/.dev-installed
	$(PY) -m bench.http_load
