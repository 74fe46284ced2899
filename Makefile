# `make run` and `make test` are all a newcomer needs (Python 3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000

.PHONY: install run test migrate messages bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py compilemessages_py
	$(BIN)/python manage.py migrate --noinput

# DEBUG stays off (gunicorn + WhiteNoise, as in production); DEMO_DATA=1 allows the demo users.
run: migrate
	$(BIN)/python manage.py collectstatic --noinput -v0
	DEMO_DATA=1 $(BIN)/python manage.py seed_demo --if-empty
	DEMO_DATA=1 PORT=$(PORT) $(BIN)/python manage.py runstack

# Browser and IMAP tests use Debian's chromium and dovecot-imapd when installed, and are skipped otherwise.
# The suite runs in TEST_WORKERS processes (pytest-xdist), each with its own test database and Dovecot; the
# tests are mostly CPU in Python but also wait on PostgreSQL and Chromium, so one more worker than cores keeps
# the cores busy, and worksteal evens out the end. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 3
test: install
	$(BIN)/python manage.py compilemessages_py
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=bench
	$(BIN)/python manage.py compilemessages_py

clean:
	rm -rf var/itsm.sqlite3 var/broker var/celerybeat-schedule*
