# Two commands for a newcomer: `make demo` and `make test`. Each creates .venv when it is
# missing and installs what it needs (only again when pyproject.toml changes).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BENCHES := bench/address_space.py bench/api_churn.py bench/replay.py bench/pod_trace.py bench/long_trace.py bench/sweep.py bench/widgets.py bench/growth.py

.PHONY: demo test bench lab clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	@touch $@

$(VENV)/.installed-notebook: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[notebook]'
	@touch $@

demo: $(VENV)/.installed-base
	$(BIN)/python -m simkit demo

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-bench
	@for b in $(BENCHES); do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lab: $(VENV)/.installed-notebook
	$(BIN)/python -m jupyter lab notebooks/

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
