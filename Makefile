# Handboken: make build bygger webbplats och Word-filer, make test kör testerna.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: build serve test check bench clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

build: $(STAMP)
	$(BIN)/styrdok build

serve: $(STAMP)
	$(BIN)/styrdok check --bara-fel
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload --dirty --no-strict

check: $(STAMP)
	$(BIN)/styrdok check

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf site build .cache
