# Two commands for a fresh machine with Python 3.11, pip and make:
#   make chat   – set everything up and open the console chat
#   make test   – set everything up and run the test suite (what .ci/run calls)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: chat test bench calibrate fuzz lint clean

chat: $(VENV)/.installed
	$(BIN)/elp-bot chat

test: $(VENV)/.installed
	@if [ ! -f .cache/axe/axe.min.js ] && command -v npm >/dev/null 2>&1; then \
		.ci/fetch-axe || echo "note: could not fetch axe-core: the browser tests will be skipped"; fi
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_answers.py
	$(BIN)/python bench/bench_telegram.py
	$(BIN)/python bench/bench_teams.py
	$(BIN)/python bench/bench_report.py
	$(BIN)/python bench/bench_web.py

# Refit the answerer's confidence model on dev after a content change (writes bot/calibration.json).
calibrate: $(VENV)/.installed
	$(BIN)/python bench/calibrate.py --write

# The long fuzz run: 4 processes on one database, random SIGKILLs, invariants checked (exit 1 if any broke).
fuzz: $(VENV)/.installed
	$(BIN)/python bench/fuzz_engine.py --processes 4 --seconds 60 --kills 8

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info .cache
