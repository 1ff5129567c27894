# Two entry points for a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= S
NPM ?= npm
# Test processes (pytest-xdist); 0 = one process. Serial by default: under two workers the replica
# memory test (tests/api/test_replica_refresh.py) once measured a refresh still catching up.
TEST_WORKERS ?= 0
# Browser assets from the npm registry (package.json, package-lock.json), in the git-ignored node_modules/
WEB_STAMP := node_modules/.bomay-installed-stamp

.PHONY: install serve test lint docs gazetteer bench load clean score screenshots

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,docs,bench]'
	touch $(STAMP)

# Without npm the service still runs; only the SPARQL editor page (/sparql in a browser) says it is missing.
$(WEB_STAMP): package.json package-lock.json
	@if command -v $(NPM) >/dev/null 2>&1; then \
	  echo "$(NPM) ci (SPARQL editor)"; $(NPM) ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	else \
	  echo "npm không có: trình soạn SPARQL sẽ không được cài / npm not found: the SPARQL editor is not installed" >&2; \
	fi

install: $(STAMP) $(WEB_STAMP)

serve: install
	$(PY) -m api.cli ingest --missing examples/*.txt
	$(PY) -m api.cli serve --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .

test: lint
	$(PY) -m pytest -q $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadgroup)

docs: install
	$(PY) -m ontology.docs build/docs

# Real screenshots for the README: the examples in a temporary store, served, photographed by /usr/bin/chromium.
screenshots: install
	$(PY) -m tests.api.screenshots docs/screenshots

gazetteer: install
	mkdir -p build
	$(PY) -m loaders.gazetteer_rdf build/gazetteer.nt

bench: install
	$(PY) -m bench.run --size $(SIZE)

load: install
	$(PY) -m tests.reliability.load --seconds 60 --clients 24 --query-timeout 10 --runaway 2 --crashing 1 --compare

clean:
	rm -rf $(VENV) .bomay build .pytest_cache node_modules

# Score the extractor on the real-article development corpus when ../shared is beside the repository.
score: install
	@if [ -f ../shared/eval/score.py ] && [ -d ../shared/corpus/dev ]; then \
	  mkdir -p build && $(PY) -m api.cli extract ../shared/corpus/dev/*.txt --format json > build/dev_pred.json && \
	  $(PY) ../shared/eval/score.py ../shared/corpus/dev/gold.yaml build/dev_pred.json --show; \
	else echo "../shared/corpus/dev not found: nothing to score"; fi
