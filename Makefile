# Rəy — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app feedback
PORT   ?= 5000
HOST   ?= 127.0.0.1
MODELS ?= models
PYTEST_ARGS ?=

.PHONY: run serve test install constraints translations translations-extract db model seed lint bench clean help

help:
	@echo "make run    install, migrate, train the model if missing, seed demo data, serve on http://$(HOST):$(PORT)"
	@echo "make serve  production-style: gunicorn with feedback/gunicorn_conf.py on REY_BIND (127.0.0.1:8000)"
	@echo "make test   the whole test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)"
	@echo "make lint   ruff and bandit"
	@echo "make bench  benchmarks that print figures"
	@echo "make translations-extract  collect new user-facing strings into the az/ru catalogues"
	@echo "make constraints  pin the installed versions into .ci/constraints.txt (after a deliberate upgrade)"

$(VENV)/.installed: setup.cfg pyproject.toml .ci/constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c .ci/constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# After upgrading a dependency on purpose (and the suite passing): pin what is installed now.
constraints: install
	( sed -n '1,2p' .ci/constraints.txt; $(PY) -m pip freeze --exclude-editable --disable-pip-version-check ) \
		> .ci/constraints.txt.new && mv .ci/constraints.txt.new .ci/constraints.txt

# After adding or changing user-facing strings: re-extract them into messages.pot and merge them into
# every language's .po file, then translate the new empty entries (a test fails until that is done).
translations-extract: install
	$(VENV)/bin/pybabel extract -F feedback/translations/babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
		--sort-by-file --no-wrap -o feedback/translations/messages.pot .
	$(VENV)/bin/pybabel update -i feedback/translations/messages.pot -d feedback/translations \
		--no-fuzzy-matching --no-wrap --ignore-obsolete

# Compiled catalogues are build output; the .po files are the source.
translations: install
	$(VENV)/bin/pybabel compile --use-fuzzy --statistics -d feedback/translations 2>&1 | grep -v '^$$' || true

db: install
	$(FLASK) init-db

model: install
	@if [ -f $(MODELS)/CURRENT ]; then \
		echo "model: $$(cat $(MODELS)/CURRENT) is current"; \
	else \
		echo "model: none yet, training the default model on ml/corpus"; \
		$(PY) -m ml train --data ml/corpus --out $(MODELS)/$$(date -u +%Y%m%d-%H%M%S) --promote; \
	fi

# Links that seed-demo prints and posters carry point at where `make run` serves.
run serve seed: export REY_PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)

seed: db
	$(FLASK) seed-demo

# The demo's accounts sign in with their printed passwords alone; production (serve) requires
# two-factor sign-in of admins unless REY_TWO_FACTOR_ROLES says otherwise.
run: export REY_TWO_FACTOR_ROLES ?=
run: install translations db model seed
	$(FLASK) run --host $(HOST) --port $(PORT)

# Production-style serving; settings come from the environment (see README, "Running in production").
serve: install translations db model
	$(VENV)/bin/gunicorn -c feedback/gunicorn_conf.py

test: install translations
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check feedback ml tests bench
	$(VENV)/bin/bandit -q -c pyproject.toml -r feedback ml

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
