# Two commands for a fresh machine: `make run` and `make test`. Both create .venv when needed and
# install the locked requirements from PyPI, every file checked against its hash; nothing else is
# downloaded. Dependencies are declared in pyproject.toml; `make lock` regenerates the two hashed locks
# (requirements.txt: runtime; requirements-dev.txt: runtime, tests and tools) from them.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8501

UV := uv==0.13.9
LOCK := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command "make lock"

.PHONY: install run test lint types unit bench schema lock clean

$(STAMP): requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
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
	$(PY) -m pip install --quiet --disable-pip-version-check $(UV)
	$(LOCK) -o requirements.txt
	$(LOCK) --extra dev -o requirements-dev.txt

schema: $(STAMP)
	$(PY) -m candidacy schema -o criteria/schema.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis tests/artifacts
