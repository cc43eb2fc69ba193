# relationship-dynamics — every target sets up .venv by itself, with the
# versions pinned in constraints.txt. `make help` lists the targets.
#
# The targets are files: the report is report.html and data/*, the figures are
# fig*.pdf|svg|png, so deleting one output makes the next `make` rebuild it.
# Each piece of .venv is installed by the first target that needs it:
# `make report` the runtime dependencies only, `make test` the test tools too.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := constraints.txt
CORPUS ?= seeds
OUT ?= reports
FIGURES ?= figures
RUN := $(BIN)/python -m analysis
PIP := $(BIN)/python -m pip install --disable-pip-version-check -c $(LOCK)
SAY := @echo "==>"

.DEFAULT_GOAL := help
.PHONY: help report figures notebook test test-all lint evaluate bench bench-full lock clean

help: ## List the targets
	@echo "Usage: make TARGET [CORPUS=path] [OUT=folder] [FIGURES=folder]"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-9s %s\n", $$1, $$2}'
	@echo "  CORPUS: a folder (recursive) or one .jsonl/.csv/.parquet file (default seeds)"
	@echo "  OUT: where report.html and data/ go (default reports); FIGURES: default figures"

# ------------------------------------------------------------------ environment
# One stamp per layer of .venv: an install has no single file to point at. A
# changed pyproject.toml or constraints.txt reinstalls the layer.

$(BIN)/python:
	$(SAY) "Creating the virtual environment $(VENV) with $$($(PYTHON) --version)"
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(BIN)/python pyproject.toml $(LOCK)
	$(SAY) "Installing the runtime dependencies (versions from $(LOCK)); about a minute the first time"
	$(PIP) --progress-bar off -e .
	@touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(SAY) "Installing the test tools: pytest, hypothesis, playwright, dask, nbclient, ruff"
	$(PIP) --progress-bar off -e ".[test,lint]"
	@touch $@

$(VENV)/.lint: $(BIN)/python pyproject.toml $(LOCK)
	$(SAY) "Installing ruff"
	$(PIP) --progress-bar off "ruff"
	@touch $@

$(VENV)/.notebook: $(VENV)/.runtime
	$(SAY) "Installing JupyterLab"
	$(PIP) --progress-bar off -e ".[notebook]"
	@touch $@

$(VENV)/.dask: $(VENV)/.runtime
	$(SAY) "Installing Dask"
	$(PIP) --progress-bar off -e ".[dask]"
	@touch $@

# ------------------------------------------------------------------ outputs
# Pattern rules with several targets: one run of the recipe makes all of them,
# in any make (the stem % is the output folder).

SOURCES := $(shell find analysis -type f \( -name '*.py' -o -name '*.yaml' -o -name '*.json' -o -name '*.j2' -o -name '*.csv' -o -name '*.js' \)) analysis.toml
INPUTS := $(shell find $(CORPUS) -type f 2>/dev/null)

# analysis/io.py TABLES, each written as CSV and Parquet (tests/test_make.py keeps them in step)
TABLES := articles sentences article_topics topic_periods comparisons trends changes skipped events event_periods event_study directed_lags granger perspectives perspective_periods perspective_comparisons unknown_outlets
REPORT_FILES := report.html $(foreach t,$(TABLES),data/$(t).csv data/$(t).parquet)

# analysis/present/chartdata.py FIGURES, each as PDF, SVG and PNG
FIGURE_STEMS := fig1_net_by_topic fig2_heatmap fig3_comparison fig4_mass fig5_articles fig6_changes fig7_directed fig8_perspectives fig9_events
FIGURE_FILES := $(foreach f,$(FIGURE_STEMS),$(f).pdf $(f).svg $(f).png $(f).txt)

$(addprefix %/,$(REPORT_FILES)): $(VENV)/.runtime $(SOURCES) $(INPUTS)
	$(SAY) "Scoring $(CORPUS) and writing $*/report.html and $*/data/"
	$(RUN) report --corpus $(CORPUS) --out $*

report: $(addprefix $(OUT)/,$(REPORT_FILES)) ## Build OUT/report.html and OUT/data/ from CORPUS (default: seeds → reports/)
	@echo "Open $(OUT)/report.html in a browser; the tables behind it are in $(OUT)/data/."

$(addprefix %/,$(FIGURE_FILES)): $(VENV)/.runtime $(SOURCES) $(INPUTS)
	$(SAY) "Drawing the figures of $(CORPUS) into $*/"
	$(RUN) figures --corpus $(CORPUS) --figures $*

figures: $(addprefix $(FIGURES)/,$(FIGURE_FILES)) ## The nine paper figures in FIGURES/ (PDF with embedded fonts, SVG, 300-dpi PNG, caption in .txt)
	@echo "The figures are in $(FIGURES)/ (fig1…fig9, each as PDF, SVG and PNG, its caption in .txt)."

notebook: $(VENV)/.notebook ## Open notebooks/compare_periods.ipynb in JupyterLab
	$(SAY) "Starting JupyterLab; Ctrl-C stops it"
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/compare_periods.ipynb

# ------------------------------------------------------------------ checks

test: $(VENV)/.test ## The fast test loop (a few minutes; leaves out the tests marked slow)
	$(SAY) "Running the fast tests (make test-all runs the slow ones too)"
	$(BIN)/python -m pytest -m "not slow" --durations=5

test-all: $(VENV)/.test ## Every test: also the slow ones (50 MB input, concurrent runs, browser, notebook, Dask); CI runs this
	$(SAY) "Running every test"
	$(BIN)/python -m pytest --durations=10

lint: $(VENV)/.lint ## Check the code with ruff
	$(BIN)/ruff check analysis tests bench validation

SHARED ?= ../shared
evaluate: $(VENV)/.runtime ## Validation figures: the CAMEO dev set, and coded real news when $(SHARED) is there
	$(SAY) "The generic event scale on the bundled CAMEO dev set"
	$(RUN) evaluate
	@if [ -d "$(SHARED)/corpora" ]; then \
	  echo "==> The dyad codebook on coded real news (held-out splits test and test2; text from $(SHARED))"; \
	  $(BIN)/python -m validation.rebuild --shared $(SHARED) --out build/gold/gold.csv && \
	  $(BIN)/python -m validation.heldout build/gold/gold.csv; \
	else echo "==> $(SHARED)/corpora is absent: the coded real-news figures need its text (validation/results.md has the last ones)"; fi

bench: $(VENV)/.dask ## Benchmarks: throughput per core against VADER on broad, dense and real corpora; Dask overhead; streaming
	$(BIN)/python -m bench.run

bench-full: $(VENV)/.dask ## The benchmarks and the 33,000-article report targets (cold, memory, cached rerun; ~10 min)
	BENCH_SECTIONS=shapes,floors,dask,scale,report $(BIN)/python -m bench.run

# A scratch environment takes the newest release of every dependency that
# pyproject.toml allows; its versions become constraints.txt. Run `make
# test-all` afterwards (it reinstalls .venv from the new pins) and commit
# constraints.txt when it passes.
lock: ## Re-pin constraints.txt to the newest releases pyproject.toml allows (then run make test-all)
	$(SAY) "Resolving the newest versions in a scratch environment (build/lock)"
	rm -rf build/lock
	$(PYTHON) -m venv build/lock
	build/lock/bin/python -m pip install --disable-pip-version-check --progress-bar off -q -e ".[dev]"
	{ echo "# Versions tested with relationship-dynamics on Python $$(build/lock/bin/python -c 'import platform; print(platform.python_version())')."; \
	  echo "# Used as pip constraints by the Makefile; \`make lock\` refreshes this file."; \
	  build/lock/bin/python -m pip freeze --exclude-editable --disable-pip-version-check; } > $(LOCK)
	rm -rf build/lock
	$(SAY) "$(LOCK) re-pinned; now run make test-all"

clean: ## Remove build/ and the virtual environment (reports/ and figures/ stay)
	rm -rf build $(VENV) .pytest_cache .ruff_cache .hypothesis
