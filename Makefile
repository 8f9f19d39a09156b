# sseds-study: one entry point for setting up, reproducing and testing the study.
# `make help` lists the targets; every target documented with a `## ` comment shows up there.
#
# Chapters are jupytext sources in notebooks/<name>.py, thin: their logic is a function in
# src/sseds_study/analysis/. To add one, append its name to NOTEBOOKS, add it to book/_toc.yml,
# then run `make smoke-notebooks reproduce` and commit the executed book/chapters/<name>.ipynb and
# tests/nbval/<name>.ipynb.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.SECONDARY:
MAKEFLAGS += --no-builtin-rules

# A non-interactive matplotlib backend in the environment (MPLBACKEND=Agg) makes executed notebooks
# lose their figures: never hand it to a recipe.
unexport MPLBACKEND

NOTEBOOKS := 00_summary 01_data 02_pretrain 03_search 04_budget 05_ablation 06_efficiency 07_claims 08_reproducibility 09_discussion 10_regime 11_ablation_tables
# Study profiles swept before the chapters are executed (the chapters then read their cached results).
# In this order: headline, ablation, ablation10 and headline_best_* copy the runs they share with the profiles before them,
# and regime_d*_best the full models of regime_d* (the regime map of chapter 10); others and others_ml1m
# (the field's other methods, chapter 4) the full models and uniform runs of headline and movielens1m.
SWEEPS    := default headline ablation ablation10 movielens1m synthetic_v2 headline_best_fm headline_best_deepfm why_d64 \
             regime_d16 regime_d64 regime_d16_best regime_d64_best others others_ml1m

PYTHON_BOOT ?= $(shell command -v python3.11 || command -v python3)
VENV        := .venv
PY          := $(VENV)/bin/python
PIP         := $(PY) -m pip
BIN         := $(VENV)/bin
BUILD       := .make
KERNEL      := sseds
TORCH_PIN   := $(shell grep -E '^torch==' requirements.lock)
SETUP_STAMP := $(VENV)/.setup.stamp
DATA_STAMP  := $(BUILD)/data.stamp
SWEEP_STAMP := $(BUILD)/sweeps.stamp

# Where the data layer caches downloads and encoded arrays, and where sweeps keep their results;
# absolute, so that notebooks find them whatever their working directory (nbval runs a notebook from
# its own folder).
export SSEDS_DATA_DIR ?= $(CURDIR)/data
export SSEDS_RESULTS_DIR ?= $(CURDIR)/results

PKG_SOURCES := $(shell find src -name '*.py' -not -path '*/__pycache__/*' 2>/dev/null) pyproject.toml
CHAPTERS    := $(NOTEBOOKS:%=book/chapters/%.ipynb)
SMOKE_REFS  := $(NOTEBOOKS:%=tests/nbval/%.ipynb)
PAPERMILL   := $(BIN)/papermill --kernel $(KERNEL) --no-progress-bar --log-level WARNING
# Runs a command and, when it succeeds, records its wall time as a stage in
# $(SSEDS_RESULTS_DIR)/reproduce-times.csv (read by the reproducibility appendix). A stage keeps its
# latest time: one that make skips as up to date keeps the time of the run that made its output.
TIMED       := $(PY) -m sseds_study.publish time-stage

.PHONY: help setup lock data sweeps regime-rule reproduce chapters smoke-notebooks nbval-refresh book pdf browser-check report-check check-reproduction check-numerics test unit nbval lint bench bench-peers clean clean-data clean-all

help: ## List the targets with a one-line description
	@echo "Usage: make <target>   (chapters: $(NOTEBOOKS))"
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) \
	  | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

# ---- environment ---------------------------------------------------------------------------------

setup: $(SETUP_STAMP) ## Create .venv from requirements.lock (torch first), install the package, register the kernel

# Re-runs only when the lock or pyproject.toml changes.
$(SETUP_STAMP): requirements.lock pyproject.toml
	@test -n "$(PYTHON_BOOT)" || { echo "setup: need python3.11 (or python3) on PATH" >&2; exit 1; }
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check '$(TORCH_PIN)'
	$(PIP) install --quiet --disable-pip-version-check -r requirements.lock
	$(PIP) install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (sseds)" >/dev/null
	touch $@

# Packages installed from a local file (`name @ file://...`) cannot be reinstalled elsewhere: left out.
lock: ## Rewrite requirements.lock and environment.yml from the packages installed in .venv
	@mkdir -p $(BUILD)
	{ sed -n '1,/^# Regenerate/p' requirements.lock; \
	  $(PIP) freeze --exclude-editable | grep -vE '^(#|-e )| @ file:' \
	    | sed -E 's/^torch==([0-9.]+)\+[a-z0-9]+$$/torch==\1/' | LC_ALL=C sort -f; } > $(BUILD)/lock.tmp
	mv $(BUILD)/lock.tmp requirements.lock
	{ sed -n '1,/^  - pip:/p' environment.yml; \
	  grep -E '^[A-Za-z0-9]' requirements.lock | sed 's/^/      - /'; } > $(BUILD)/env.tmp
	mv $(BUILD)/env.tmp environment.yml

# ---- data -----------------------------------------------------------------------------------------

data: $(DATA_STAMP) ## Download, check and encode MovieLens-100K (the sweeps fetch MovieLens-1M and generate synthetic data on demand)

$(DATA_STAMP): $(SETUP_STAMP) $(wildcard src/sseds_study/data/*.py)
	@mkdir -p $(BUILD)
	$(TIMED) "data movielens100k" -- $(PY) -m sseds_study.cli --quiet data --dataset movielens100k
	touch $@

# ---- chapters -------------------------------------------------------------------------------------

$(BUILD)/nb/%.ipynb: notebooks/%.py $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(BIN)/jupytext --quiet --to ipynb --output $@ $<

# A chapter is re-executed when its source, the package or the environment changed. Papermill writes
# to .make/out first: a failed run leaves the committed notebook alone and the failed one for reading.
# ---- sweeps ---------------------------------------------------------------------------------------

sweeps: $(SWEEP_STAMP) ## Run the study profiles in SWEEPS (resumable: finished runs are never repeated)

# SWEEP_FLAGS is passed to every sweep: `make reproduce SWEEP_FLAGS="--workers 16"` on a 16-core machine,
# or "--executor ray" on a Ray cluster (results do not depend on either: each run is single-threaded).
SWEEP_FLAGS ?=
# A sweep only computes runs missing from its journal (keyed by the hash of each run's config), so
# re-running after a package change is cheap; delete results/<profile>/ to recompute from scratch.
$(SWEEP_STAMP): $(SWEEPS:%=configs/%.yaml) $(PKG_SOURCES) $(SETUP_STAMP) $(DATA_STAMP)
	@mkdir -p $(BUILD)
	for profile in $(SWEEPS); do $(TIMED) "sweep $$profile" -- $(BIN)/sseds sweep configs/$$profile.yaml $(SWEEP_FLAGS); done
	touch $@

book/chapters/%.ipynb: $(BUILD)/nb/%.ipynb $(PKG_SOURCES) $(SETUP_STAMP) $(DATA_STAMP) $(SWEEP_STAMP)
	@mkdir -p $(@D) $(BUILD)/out/default
	$(TIMED) "chapter $*" -- $(PAPERMILL) -p profile default --cwd $(CURDIR) $< $(BUILD)/out/default/$*.ipynb
	$(PY) -m sseds_study.publish hide-injected $(BUILD)/out/default/$*.ipynb
	$(PY) -m sseds_study.publish stamp $(BUILD)/out/default/$*.ipynb
	mv $(BUILD)/out/default/$*.ipynb $@

# Smoke references and their nbval re-execution compute every result afresh, in a results folder of
# their own: a cached sweep would make the regression test compare the cache with itself.
tests/nbval/%.ipynb: $(BUILD)/nb/%.ipynb $(PKG_SOURCES) $(SETUP_STAMP) $(DATA_STAMP)
	@mkdir -p $(@D) $(BUILD)/out/smoke
	rm -rf $(BUILD)/smoke-results/$*
	SSEDS_RESULTS_DIR=$(CURDIR)/$(BUILD)/smoke-results/$* \
	  $(PAPERMILL) -p profile smoke --cwd $(CURDIR) $< $(BUILD)/out/smoke/$*.ipynb
	mv $(BUILD)/out/smoke/$*.ipynb $@

chapters: $(CHAPTERS) ## Execute the chapter notebooks (profile default) into book/chapters/

smoke-notebooks: $(SMOKE_REFS) ## Execute the chapter notebooks (profile smoke) into tests/nbval/ (the nbval references)

# smoke-notebooks re-executes only the references whose inputs changed; this one re-executes them all
# (-W: as if every chapter source had just changed), for when a smoke output is meant to change for a
# reason make cannot see. Review `git diff tests/nbval` before committing the new references.
nbval-refresh: ## Re-execute every smoke reference (tests/nbval/) on purpose, after an intended change of output
	$(MAKE) --no-print-directory $(NOTEBOOKS:%=-W notebooks/%.py) smoke-notebooks

# The regime rule `sseds search` prints (src/sseds_study/search/regime_rule.json), fitted again from the
# regime profiles' results (chapter 10's gain model without its held-out settings). Commit the file.
regime-rule: $(SETUP_STAMP) $(DATA_STAMP) $(SWEEP_STAMP) ## Fit the regime rule of `sseds search` from the regime map's results (chapter 10)
	$(TIMED) "regime rule" -- $(PY) -m sseds_study.analysis.regime fit

reproduce: setup data sweeps regime-rule chapters ## Everything: setup, data, the sweeps, every chapter (profile default), the book
	$(MAKE) --no-print-directory book

book: $(SETUP_STAMP) ## Build the HTML book from the committed chapters (book/_build/html/index.html)
	$(TIMED) book -- $(BIN)/jupyter-book build book -W -n --keep-going

# The PDF is the single-page HTML build printed by headless Chromium (no LaTeX): the same theme,
# figures and offline MathJax as the HTML book. Needs the Debian package chromium.
pdf: $(SETUP_STAMP) ## Build the whole book as one PDF, offline (book/_build/pdf/book.pdf; needs chromium)
	$(BIN)/jupyter-book build book --builder singlehtml -W -n --keep-going
	$(PY) -m sseds_study.publish pdf book/_build/singlehtml --out book/_build/pdf/book.pdf

# ---- checks ---------------------------------------------------------------------------------------

test: setup ## Unit tests, nbval regression of the smoke notebooks, a strict book build, the browser check, a report
	$(MAKE) --no-print-directory unit nbval book browser-check report-check

unit: $(SETUP_STAMP) ## Unit tests only (pytest, without the notebooks)
	$(PY) -m pytest -q -p no:cacheprovider tests --ignore=tests/nbval

nbval: $(SETUP_STAMP) $(DATA_STAMP) ## Re-execute the committed smoke notebooks (tests/nbval/) and compare their text outputs
	@ls $(SMOKE_REFS) >/dev/null || { echo "nbval: run 'make smoke-notebooks' and commit the results" >&2; exit 1; }
	rm -rf $(BUILD)/nbval-results
	SSEDS_RESULTS_DIR=$(CURDIR)/$(BUILD)/nbval-results $(PY) -m pytest -q -p no:cacheprovider --nbval \
	  --nbval-current-env --nbval-sanitize-with tests/nbval/sanitize.cfg $(SMOKE_REFS)

# Serves book/_build/html on loopback and opens every page in headless Chromium: broken links and
# images, console errors, requests leaving the machine, math MathJax did not render. Each problem is
# one line naming its page. Run after `make book`.
browser-check: $(SETUP_STAMP) ## Open every page of the built book in headless Chromium; screenshots in book/_build/screenshots/
	$(PY) -m sseds_study.publish check book/_build/html --screenshots book/_build/screenshots

# The two commands of "Run this study on your data" end to end at smoke size: a generated table
# (categorical, numeric and multi-valued columns), `sseds init` on it, `sseds report` on a profile
# extending init's with the smoke settings (HTML and PDF), and the browser check of the report's pages
# (screenshots in $(BUILD)/report-check/screenshots/). About two minutes on two cores.
report-check: $(SETUP_STAMP) ## Build a report at smoke size from a generated table and open it in headless Chromium
	rm -rf $(BUILD)/report-check
	$(PY) scripts/report_check.py $(BUILD)/report-check

# Reruns two seeds of one headline cell (DeepFM, b = 0.1: full, sseds, uniform) from the settings
# committed in reference/default.csv and compares every number to the last bit (a few minutes).
# `make test` runs the same check at smoke size (tests/study/test_reproduce.py).
check-reproduction: $(SETUP_STAMP) $(DATA_STAMP) ## Recompute the committed reference rows (reference/default.csv) and compare them bit for bit
	$(BIN)/sseds check-reproduction default

# Trains every base model under imitated instruction sets (MKL, ATen, oneDNN, threads), in the fast
# and the reproducible numerical mode, and tabulates which results equal the native ones bit for bit.
check-numerics: $(SETUP_STAMP) $(DATA_STAMP) ## Bit-identity table of the numerical modes under imitated instruction sets (reference/numerics.md)
	$(PY) -m sseds_study.study.bitcheck --out reference/numerics.md

lint: $(SETUP_STAMP) ## Static checks (ruff) on src and tests
	$(BIN)/ruff check src tests

# ---- benchmarks -----------------------------------------------------------------------------------

# The peer libraries (DeepCTR-Torch, FuxiCTR) live in a virtual environment of their own, never in .venv:
# they are not dependencies of the package. torch is pinned there too (installed first, then again
# with the peers so that pip keeps it).
PEER_VENV  := benchmarks/.venv-peers
PEER_STAMP := $(PEER_VENV)/.setup.stamp

bench-peers: $(PEER_STAMP) ## Create benchmarks/.venv-peers with the peer libraries (benchmarks/requirements.txt)

$(PEER_STAMP): benchmarks/requirements.txt requirements.lock
	@test -n "$(PYTHON_BOOT)" || { echo "bench-peers: need python3.11 (or python3) on PATH" >&2; exit 1; }
	test -x $(PEER_VENV)/bin/python || $(PYTHON_BOOT) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check '$(TORCH_PIN)'
	$(PEER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check '$(TORCH_PIN)' -r benchmarks/requirements.txt
	touch $@

# Every benchmark writes benchmarks/results/<name>.json; the report assembles RESULTS.md and RESULTS.png
# from whatever is there, so a benchmark that fails leaves its rows "not run" and the others stand.
# About 19-20 minutes on 2 CPU cores (throughput 11, large tables 1.5, data preparation 6); run it on a
# quiet machine (timings are wall-clock).
bench: $(SETUP_STAMP) $(DATA_STAMP) $(PEER_STAMP) ## Speed and scale against the peer libraries: benchmarks/RESULTS.md (+ .png)
	status=0; \
	$(PY) benchmarks/throughput.py || status=1; \
	$(PY) benchmarks/large_tables.py || status=1; \
	$(PY) benchmarks/data_prep.py || status=1; \
	$(PY) benchmarks/report.py; \
	exit $$status

# ---- cleaning -------------------------------------------------------------------------------------

clean: ## Remove build outputs (book/_build, .make, tool caches); keeps data, results and committed notebooks
	rm -rf book/_build $(BUILD) .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

clean-data: ## Remove the data caches (downloads and encoded arrays in $SSEDS_DATA_DIR, default data/)
	@case "$(abspath $(SSEDS_DATA_DIR))/" in "$(CURDIR)"/?*) ;; *) test "$(FORCE)" = 1 || { \
	  echo "clean-data: $(SSEDS_DATA_DIR) is outside this repository; run 'make clean-data FORCE=1' to delete it" >&2; \
	  exit 1; } ;; esac
	rm -rf "$(SSEDS_DATA_DIR)"
	rm -f $(DATA_STAMP)

clean-all: clean clean-data ## clean + clean-data + remove .venv
	rm -rf $(VENV)
