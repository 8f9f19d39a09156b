# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (sseds)
#     language: python
#     name: sseds
# ---

# %% [markdown]
# (reproducibility)=
# # Reproducing this book
#
# Everything in this appendix is read from the result files and from the record `make reproduce`
# keeps of its stages, not typed: the profiles the book reads and the command that sweeps each, the
# environment every result row records, the checksums of the data the runs saw, the git commits the
# results came from, and how long each stage took.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["remove-input"]
from sseds_study.analysis.reproducibility import reproducibility_chapter

# %% tags=["remove-input"]
chapter = reproducibility_chapter(profile)

# %% tags=["remove-cell"]
print(chapter.header)

# %% tags=["remove-input", "nbval-ignore-output"]
# nbval does not compare these, nor the tables of stage times, environment and commits below: they
# describe the machine, the clock and the commit of a run, which differ from run to run by design.
chapter.glue()

# %% [markdown]
# ## Two commands
#
# On a machine with Python 3.11, `make` and `git`, `make reproduce` creates the environment from
# `requirements.lock`, prepares the data, sweeps the profiles, executes every chapter and builds the
# book; `make test` runs the unit tests, re-executes the chapters at the smoke profile and compares
# their outputs. A sweep can also be run by hand, one profile at a time:

# %% tags=["remove-input"]
print(chapter.text["profile_commands"])

# %% [markdown]
# A sweep is resumable: a finished run is never computed again, so an interrupted sweep continues where
# it stopped. The book reads these profiles, {glue:text}`runs_total` finished runs in all:

# %% tags=["remove-input"]
chapter.tables["profiles"]

# %% [markdown]
# ## Where the time goes
#
# `make reproduce` records the wall time of every stage it runs (preparing each dataset, each sweep,
# each chapter, the book) in `results/reproduce-times.csv`; a stage that make skips because its output
# is up to date keeps the time of the run that made it. {glue:text}`times_summary`

# %% tags=["remove-input", "nbval-ignore-output"]
chapter.tables["times"]

# %% [markdown]
# ## The environment
#
# Every result row records the versions of Python and the key packages it ran with, and the processor
# it ran on (CPU: {glue:text}`cpus`) and the numerical mode it was computed in (next section).
# Timings (search time, latency) compare only on one processor and at one load, so no verdict of the
# book rests on them. The environment is pinned in `requirements.lock` (and `environment.yml`).

# %% tags=["remove-input", "nbval-ignore-output"]
chapter.tables["environment"]

# %% [markdown]
# ## The same numbers on every machine
#
# A seed fixes the data split, the initialisation and the batch order, so a run repeats exactly on
# one machine. Across machines the last bits of a matrix product depend on the code path the math
# libraries choose for the processor (MKL's branch and the cache sizes it blocks for, ATen's vector
# width, oneDNN's instruction set, the threads a reduction is split over), and over twenty epochs,
# ten seeds and a Holm correction such bits moved verdicts: a `make reproduce` of an earlier commit on
# a 2-core AMD EPYC with AVX-512 matched every FM row of this book to the last digit but no DeepFM or
# DCN row (the full DeepFM's mean test AUC 0.7912 became 0.7917), and three verdicts changed with them.
#
# Since then every run is computed in a pinned **numerical mode** (`sseds_study.numerics`, set when
# the package is imported, before torch computes anything): MKL's conditional-reproducibility branch
# for AVX2 (`MKL_CBWR=AVX2`), ATen's AVX2 kernels, oneDNN capped at AVX2, and one torch thread per
# training process. It runs on any x86-64 processor with AVX2. `SSEDS_NUMERICS=fast` (or
# `sseds --numerics fast`) hands every choice back to the libraries: results then repeat on one
# machine only. The mode is part of every run's key and is recorded in every row; this book's rows
# were computed in: {glue:text}`numerics_rows`.
#
# The table shows what the mode buys. Each base model is trained in a fresh process under settings
# that imitate other processors. Without the mode (`fast`), {glue:text}`numerics_fast_same` imitated
# results equal the native ones bit for bit; with it, {glue:text}`numerics_reproducible_same`.

# %% tags=["remove-input", "nbval-ignore-output"]
chapter.tables["numerics"]

# %% [markdown]
# `make check-reproduction` recomputes two seeds of one headline cell (DeepFM at budget 0.1: the full
# model, SSEDS and uniform, each pretrained, searched and retrained afresh from the settings committed
# in `reference/default.csv`) and compares every number with the committed one to the last bit, naming
# any difference; `make test` does the same at smoke size. What the mode does not cover: on Intel
# processors MKL runs its AVX2 branch, on AMD processors its own reproducible branch (recorded as
# "MKL branch AUTO"), and whether the two give the same bits has not been checked on an Intel machine;
# processors without AVX2 need `SSEDS_NUMERICS=compatible` (any x86-64, slower); ARM processors have
# no MKL and GPUs are outside the mode, so results there repeat on the same machine only (a warning
# says so, and the rows are labelled `fast`). This book was executed on: {glue:text}`cpus`, a
# machine with {glue:text}`machine_cores` cores and {glue:text}`machine_memory` of memory; the thread
# settings of the numerical mode: {glue:text}`machine_threads`.

# %% [markdown]
# ## The data
#
# Each row records the sha256 checksum of its dataset's manifest, which names the raw files' checksums,
# the encoding options and the split. With a split per seed, every seed has its own manifest; the
# table counts them and shows the start of the first one's checksum.

# %% tags=["remove-input"]
chapter.tables["manifests"]

# %% [markdown]
# ## The code
#
# The git commit each result row came from (a run made with uncommitted changes in the working tree
# would have its commit marked as dirty). These commits can be older than the stage times' above: a sweep whose runs are all in
# the results computes nothing, so a row keeps the commit that computed it, while a stage's time is
# that of the last run that timed it. The stage times of the sweeps come from a `make reproduce` of a
# fresh clone.

# %% tags=["remove-input", "nbval-ignore-output"]
chapter.tables["commits"]

# %% [markdown]
# ## Rerunning a part
#
# One chapter ({glue:text}`rerun_chapters`) is re-executed from its source with, for example,
# {glue:text}`rerun_chapter`; make reruns only what that chapter depends on and what changed.
#
# One cell of a table (a dataset, base model, method and budget) is rerun by a profile restricted to
# it, saved beside the others in `configs/` (here named {glue:text}`rerun_cell_name`):

# %% tags=["remove-input"]
print(chapter.text["rerun_cell_yaml"])

# %% [markdown]
# Then {glue:text}`rerun_cell_sweep` recomputes its tuning stage and its runs into a results folder
# of its own, and {glue:text}`rerun_cell_results` prints their means and 95% intervals, to set
# against the book's. A line {glue:text}`rerun_reuse` would copy the book's finished runs instead of
# computing them again.

# %% [markdown]
# ## How this book is made
#
# Each chapter is a short Python script in jupytext's {cite:p}`jupytext` percent format
# (`notebooks/*.py`). It holds no function definitions: a parameters cell, imports, and one call into
# the `sseds_study` package per cell. `make reproduce` converts each script to a notebook, executes it
# with papermill {cite:p}`papermill`, and writes the executed notebook into `book/chapters/`, where it is
# committed; the book is then built from those notebooks by Jupyter Book {cite:p}`jupyterbook2020`
# without executing anything again. Numbers quoted in the prose are inserted from the executed
# results with myst-nb's `glue`, never typed by hand.
#
# The same chapter runs at three sizes, chosen by the `profile` parameter:
#
# `smoke`
# : seconds per chapter; continuous integration re-executes these notebooks and compares their text
#   outputs with committed references (nbval {cite:p}`nbval`).
#
# `default`
# : the size of this book: minutes per chapter on a laptop CPU (with its companion profiles,
#   listed in the glossary on {doc}`the first page <00_summary>`).
#
# `paper`
# : Criteo and Avazu at full size, for a machine with the data and ideally a GPU.
#
# **Provenance.** Every result row carries the resolved configuration and its hash, the checksum of the
# dataset manifest, the package versions, the processor and the git commit that produced it; the
# sections above read them back, with the time each
# stage of `make reproduce` took. The environment is pinned
# in `requirements.lock` (and `environment.yml`), so a number that cannot be reproduced can at least be
# traced to exactly what produced it.
#
# **Determinism.** A seed fixes the data split, the initialisation and the batch order, and every fit
# runs on one thread in the reproducible numerical mode, so the same seed gives the same numbers, bit
# for bit, on one machine, and on other x86-64 machines with AVX2 as far as the section "The same
# numbers on every machine" above could test; elsewhere float reductions can round differently, in the
# fourth decimal of an AUC, well inside the intervals over seeds that every comparison reports.
#
# **Software.** The models are written in PyTorch {cite:p}`paszke2019pytorch`; arrays and tables are
# NumPy {cite:p}`harris2020numpy` and pandas {cite:p}`mckinney2010pandas`; confidence intervals and tests
# come from SciPy {cite:p}`virtanen2020scipy`, AUC from scikit-learn {cite:p}`pedregosa2011sklearn`; the
# figures are drawn with Matplotlib {cite:p}`hunter2007matplotlib` and seaborn {cite:p}`waskom2021seaborn`. Every work cited is listed under
# {doc}`../bibliography`.
