# Handboken: make build bygger webbplats och Word-filer, make test kör testerna.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The web editor (Decap CMS, served under /redigera/) and its local proxy, pinned in package-lock.json.
NODE_STAMP := node_modules/.package-lock.json
export NO_MKDOCS_2_WARNING := 1

.PHONY: build serve test check bench clean install redigera

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

$(NODE_STAMP): package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "obs: npm saknas – webbplatsen byggs utan webbredigeraren (/redigera/). Installera nodejs och npm."; fi

install: $(STAMP) $(NODE_STAMP)

build: $(STAMP) $(NODE_STAMP)
	$(BIN)/styrdok build

# The editor on this computer: Decap's local proxy over this working copy (drafts are cms/… branches)
# and the built site, both on 127.0.0.1 only.
redigera: build
	@echo "Öppna http://127.0.0.1:8000/redigera/ och klicka Logga in. Ctrl+C avslutar."
	@MODE=git BIND_HOST=127.0.0.1 PORT=8081 GIT_REPO_DIRECTORY="$(CURDIR)" LOG_LEVEL=warn \
	  node node_modules/decap-server/dist/index.js & server=$$!; \
	  trap "kill $$server" EXIT INT TERM; \
	  $(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory site

# The preview: each page made when it is asked for, from the files as they are (styrdok.preview).
serve: $(STAMP)
	$(BIN)/styrdok forhandsvisa --port 8000

check: $(STAMP)
	$(BIN)/styrdok check

# One worker per core (pytest-xdist -n auto: 2 here). A third worker on two cores made the run slower,
# not faster: 620 tests, 171-200 s and 315-337 s of CPU with -n 3 against 149-159 s and 240 s with -n 2
# (the same tests take more CPU when three processes share two cores). PYTEST_ARGS= : one process.
PYTEST_ARGS ?= -n auto --dist worksteal
# Python's bytecode caches are written during the tests (Python's default; this machine turns it off
# with PYTHONDONTWRITEBYTECODE): the run starts some hundred Python processes on the same sources, and
# without the caches each compiles them again (collecting the tests: 2.7 s of CPU per test process
# without, 1.1 s with). It also tests a handbook as it is on a usual machine, with __pycache__/ beside
# its hooks (that blocked `styrdok decide` until init's .gitignore listed it).
#
# The tests' temporary folders (handbooks, their sites, Word files and git repositories: some 120,000
# files and 1 GB a run) are kept in memory, in /dev/shm, where it is a tmpfs with 4 GiB free: creating
# and removing files there costs the kernel a fraction of what it costs on a disk's file system (here
# ext4: 55-59 s of system CPU a run against 75-82 s, `make test` 118-127 s against 137-142 s in
# interleaved runs), and only the last run's folders are kept (pytest keeps three by default). Where
# /dev/shm is small (a container's 64 MB) the system's temporary folder is used as before.
# `make test TEST_TMPDIR=` turns it off.
TEST_TMPDIR ?= $(shell [ "$$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && \
	df -Pk /dev/shm | awk 'NR == 2 && $$4 > 4 * 1024 * 1024 { print "/dev/shm" }')
test: $(STAMP) $(NODE_STAMP)
	$(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR)) PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest \
		$(if $(TEST_TMPDIR),-o tmp_path_retention_count=1) $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf site build .cache
