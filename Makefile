# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Two pytest-xdist workers (each with its own test database, Redis database and media folder);
# `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2
PYTEST := $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal

.PHONY: install run test test-fast lint bench worker beat clean backup restore

install: $(STAMP)

$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_bnm_content --demo
	$(PY) manage.py ensure_local_admin
	@echo "Site : http://127.0.0.1:$(PORT)/   Administration : http://127.0.0.1:$(PORT)/admin/"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PYTEST)

test-fast: install
	$(PYTEST) -m "not e2e"

lint: install
	$(VENV)/bin/ruff check .

# Run both, each as its own process (a supervisor restarts them; see the README).
worker: install
	$(VENV)/bin/celery -A config worker -l info

beat: install
	mkdir -p var
	$(VENV)/bin/celery -A config beat -l info --schedule var/celerybeat-schedule

# Database and uploaded files, with a manifest of sha256 (README « Backups »).
BACKUP_DIR ?= var/backups/$(shell date -u +%Y-%m-%dT%H%M%SZ)
backup: install
	$(PY) manage.py backup_site $(BACKUP_DIR)

# Into an empty database and storage: make restore FROM=var/backups/…
restore: install
	@test -n "$(FROM)" || { echo "Indiquer la sauvegarde : make restore FROM=var/backups/…"; exit 2; }
	$(PY) manage.py restore_site $(FROM)

# One table: public pages cached and uncached against a ceiling, AMI saves, PDF, exports (README
# « Benchmark »). `make bench BENCH_ARGS=--quick` to iterate. Needs wrk (installed here as root).
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; \
	  else echo "wrk manque : sudo apt-get install wrk, puis relancer make bench. / wrk is missing: sudo apt-get install wrk, then run make bench again."; exit 2; fi; }
	$(PY) -m tests.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
