# Two commands for a fresh machine: `make run` and `make test`. Both create .venv when needed and
# install the locked requirements from PyPI, every file checked against its hash; nothing else is
# downloaded. The installer is uv (pinned, itself installed by pip from requirements-uv.txt with its
# hashes), several times faster than pip on a fresh machine; `make install INSTALLER=pip` installs the
# same locks with pip alone. Dependencies are declared in pyproject.toml; `make lock` regenerates the
# hashed locks (requirements.txt: runtime; requirements-dev.txt: runtime, tests and tools) from them.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8501
INSTALLER ?= uv

UV := $(VENV)/bin/uv
PIP := $(PY) -m pip --quiet --disable-pip-version-check
# uv reads its own settings: give it the machine's pip find-links (space-separated there, commas here).
comma := ,
empty :=
space := $(empty) $(empty)
FIND_LINKS := $(strip $(or $(UV_FIND_LINKS),$(PIP_FIND_LINKS)))
UV_ENV := $(if $(FIND_LINKS),UV_FIND_LINKS=$(subst $(space),$(comma),$(FIND_LINKS)))
UV_PIP := $(UV_ENV) $(UV) pip install --quiet --python $(PY)
LOCK := $(UV) pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command "make lock"

.PHONY: install run test lint types unit bench schema lock clean

$(STAMP): requirements-dev.txt requirements-uv.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
ifeq ($(INSTALLER),pip)
	$(PIP) install --require-hashes -r requirements-dev.txt
	$(PIP) install --no-deps --no-build-isolation -e .
else
	$(PIP) install --require-hashes --no-deps -r requirements-uv.txt
	$(UV_PIP) --require-hashes -r requirements-dev.txt
	$(UV_PIP) --no-deps --no-build-isolation -e .
endif
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m streamlit run app.py --server.headless true --server.address $(HOST) --server.port $(PORT) \
		--browser.gatherUsageStats false

test: lint types unit

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

types: $(STAMP)
	$(PY) -m mypy

unit: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/engine.py
	$(PY) bench/app.py
	$(PY) bench/reports.py
	$(PY) bench/store.py
	$(PY) bench/team_load.py

# Regenerate the hashed locks after changing the dependencies declared in pyproject.toml.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --require-hashes --no-deps -r requirements-uv.txt
	$(LOCK) -o requirements.txt
	$(LOCK) --extra dev -o requirements-dev.txt

schema: $(STAMP)
	$(PY) -m candidacy schema -o criteria/schema.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis tests/artifacts
