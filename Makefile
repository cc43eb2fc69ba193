# relationship-dynamics — every target sets up .venv by itself.
# `make help` lists the targets.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORPUS ?= seeds
OUT ?= reports
FIGURES ?= figures
RUN := $(BIN)/python -m analysis

.DEFAULT_GOAL := help
.PHONY: help report figures test lint bench evaluate clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  Variables: CORPUS=path (folder or .jsonl/.csv/.parquet), OUT=folder (default reports)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

SOURCES := $(shell find analysis -type f \( -name '*.py' -o -name '*.yaml' -o -name '*.j2' -o -name '*.csv' \)) analysis.toml
INPUTS := $(shell find $(CORPUS) -type f 2>/dev/null)

$(OUT)/report.html: $(STAMP) $(SOURCES) $(INPUTS)
	$(RUN) report --corpus $(CORPUS) --out $(OUT)

report: $(OUT)/report.html ## Build OUT/report.html and OUT/data/ from CORPUS (default: seeds → reports/)

$(FIGURES)/.done: $(STAMP) $(SOURCES) $(INPUTS)
	$(RUN) figures --corpus $(CORPUS) --figures $(FIGURES)
	@touch $@

figures: $(FIGURES)/.done ## Write the six paper figures to figures/ (PDF, SVG, PNG)

test: $(STAMP) ## Run the test suite (browser tests need Debian's chromium)
	$(BIN)/python -m pytest

lint: $(STAMP) ## Check the code with ruff
	$(BIN)/ruff check analysis tests bench

evaluate: $(STAMP) ## Score the bundled CAMEO dev set and print the validation figures
	$(RUN) evaluate

bench: $(STAMP) ## Benchmarks: ingestion, scoring and the whole pipeline on generated corpora
	$(BIN)/python -m bench.run

clean: ## Remove build/ and the virtual environment (reports/ and figures/ stay)
	rm -rf build $(VENV) .pytest_cache .ruff_cache
