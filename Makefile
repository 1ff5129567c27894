# Two entry points for a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= S

.PHONY: install serve test lint docs gazetteer bench load clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,docs,bench]'
	touch $(STAMP)

install: $(STAMP)

serve: install
	$(PY) -m api.cli ingest --if-empty examples/*.txt
	$(PY) -m api.cli serve --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .

test: lint
	$(PY) -m pytest -q

docs: install
	$(PY) -m ontology.docs build/docs

gazetteer: install
	mkdir -p build
	$(PY) -m loaders.gazetteer_rdf build/gazetteer.nt

bench: install
	$(PY) -m bench.run --size $(SIZE)

load: install
	$(PY) -m tests.reliability.load --seconds 60

clean:
	rm -rf $(VENV) .bomay build .pytest_cache
