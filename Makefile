# Two commands for a newcomer: `make demo` and `make test`. Each creates .venv when it is
# missing and installs what it needs (only again when pyproject.toml changes); `make test` also
# installs chromium for the browser test when it can.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BENCHES := bench/address_space.py bench/api_churn.py bench/replay.py bench/pod_trace.py bench/long_trace.py bench/sweep.py bench/widgets.py bench/growth.py

.PHONY: demo test bench lab clean chromium

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

# The default scenario's summary, and its capacity report in report/ (replaced on each demo).
demo: $(VENV)/.installed-base
	$(BIN)/simkit run --out report --force

# tests/test_report_browser.py opens a report in Debian's chromium: install it when it is missing
# and this user may (root, or sudo without a password); otherwise say so, and that test skips.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; \
	  else echo "make: chromium is missing and this user cannot install it (not root, no sudo): the browser test will be skipped"; exit 0; fi; \
	  if ! command -v apt-get >/dev/null 2>&1; then echo "make: chromium is missing and there is no apt-get: the browser test will be skipped"; exit 0; fi; \
	  echo "make: installing Debian's chromium for the browser test"; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
	    || { $$sudo apt-get update -q >/dev/null && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } \
	    || echo "make: installing chromium failed: the browser test will be skipped"; }

test: $(VENV)/.installed-test chromium
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-bench
	@for b in $(BENCHES); do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lab: $(VENV)/.installed-notebook
	$(BIN)/python -m jupyter lab notebooks/

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
