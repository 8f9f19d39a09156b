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
# # Budget against accuracy
#
# The paper's headline: mixed widths found by SSEDS keep the full model's AUC with a small fraction of
# its embedding parameters. Here every method is given the same budget $b$, the fraction of the
# full model's embedding parameters $\sum_f V_f D$ it may keep, under the same rules (every field
# keeps at least one dimension), and is retrained from scratch with the same seed and the same tuned
# training settings (chapter 2). `prune_only` is the pretrained model with the dropped columns gated
# to zero, without retraining. PEP (`pep`) learns a threshold on every embedding entry while it
# trains, keeps the entries above it, and is retrained from the search run's initial weights
# (`pep_fresh`: from a new initialisation); its budget is the fraction of non-zero entries. The
# `uniform` baseline (the same width $d$ for every field, the leftover budget as one more column for
# the cheapest fields) needs $b \ge 1/D$, as does any method that keeps one dimension per field.
# Runs with the same seed share the data split (each seed has its own) and the pretrained model, so
# each run is measured against the full model of its own seed: the figures show that paired change
# in test AUC, its mean over seeds with a 95% interval (Student t) and every seed as a faint dot.
# Every method keeps at least one dimension per field (`min_dim` 1): DCN has no first-order term, so
# a field at width 0 would vanish from it; [the ablation](05_ablation.ipynb) measures `min_dim` 0.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["hide-input"]
from sseds_study.analysis import budget_chapter

# %% tags=["hide-input"]
chapter = budget_chapter(profile)

# %% tags=["hide-input"]
print(chapter.header)

# %% tags=["hide-input"]
chapter.glue()

# %% [markdown]
# ## The verdict: SSEDS against {glue:text}`verdict_baseline_count` allocations at equal parameters
#
# At budgets 0.2 and 0.1, SSEDS is set against the {glue:text}`verdict_baseline_count` allocations that
# spend the same embedding parameters under the same rules: {glue:md}`verdict_baselines`. On
# MovieLens-100K every cell has ten seeds (profile `headline`), on MovieLens-1M three (profile
# `movielens1m`: a fit there takes 30-60 s, and the whole book must be reproducible in 90 minutes on
# two cores). Each seed has its own data split and its own pretrained model, shared by every method of
# that seed, so each cell is the mean of the per-seed differences SSEDS − baseline, with its paired
# 95% interval; a paired t test per cell, Holm-corrected across the table, gives the verdict
# (▲ SSEDS better, ▼ worse, · indistinguishable; † borderline).
#
# Of the {glue:text}`verdict_cells` cells, SSEDS is {glue:text}`verdict_summary`
# ({glue:text}`verdict_seeds` paired seeds per cell). Its largest gain is
# {glue:text}`verdict_best`; its largest loss {glue:text}`verdict_worst`.
# {glue:text}`verdict_stability` (A cell marked † is borderline: a few more seeds could move its
# verdict either way, so it should not be read on its own.)

# %% tags=["hide-input"]
chapter.tables["verdict"]

# %% [markdown]
# The same runs as mean test AUC per method, the full model beside them:

# %% tags=["hide-input"]
chapter.tables["verdict_means"]

# %% [markdown]
# ### With the SSEDS variant chosen on validation
#
# The verdict above uses SSEDS's default settings. [The ablation](05_ablation.ipynb) crosses four of
# its options and picks, per base model, the variant with the best validation AUC:
# {glue:text}`best_variants`. Rerun on the first {glue:text}`best_seeds` of the headline's seeds (more
# would not fit the 90 minutes of `make reproduce`), each allocation following that variant's rules
# (its `min_dim`, and fine-tuned from the pretrained model when the variant is), SSEDS is
# {glue:text}`best_summary` (Holm-corrected across this table). Its largest gain is
# {glue:text}`best_verdict_best`; its largest loss {glue:text}`best_verdict_worst`.

# %% tags=["hide-input"]
chapter.tables["best"]

# %% [markdown]
# ### Would tuning the slim models separately change the verdict?
#
# Every method uses the learning rate and embedding weight decay tuned on the full model
# ([chapter 2](02_pretrain.ipynb)). A slim model has fewer parameters and might want less decay, and
# one method might suit the shared setting better than another. One cell tests it:
# {glue:text}`slim_cell`. Each method's whole pipeline (pretraining, scoring, retraining) is run at
# every decay of the grid below, each method takes the decay with its best mean validation AUC
# ({glue:text}`slim_choice`), and only then is the test split read. Tuned separately, SSEDS −
# baseline is {glue:text}`slim_tuned`; with the shared setting, on the same seeds,
# {glue:text}`slim_shared`: {glue:text}`slim_outcome`.

# %% tags=["hide-input"]
chapter.tables["slim"]

# %% [markdown]
# ## Test AUC against budget
#
# {numref}`fig-budget-main` and {numref}`fig-budget-large` follow every method down the budgets. A
# column of panels per base model (its title gives the full model's mean test AUC); each row compares
# SSEDS with two baselines, and the last row with `prune_only`, whose AUC falls much further and
# would flatten the others on a shared axis. The dashed line at zero is the full model.

# %% [markdown]
# ```{glue:figure} fig_budget_main
# :name: fig-budget-main
#
# MovieLens-100K as CTR (profile `default`, three seeds): change in test AUC against the full model of
# the same seed, by embedding budget, for each method and base model.
# ```
#
# ```{glue:figure} fig_budget_large
# :name: fig-budget-large
#
# MovieLens-1M as CTR (profile `movielens1m`, three seeds): change in test AUC against the full model
# of the same seed, by embedding budget.
# ```

# %% [markdown]
# ## Every method, every base model
#
# The default profile (three seeds) also runs DCN, PEP (`pep`, `pep_fresh`) and `prune_only`. Mean
# test AUC with the half-width of its 95% interval at budgets 0.2 and 0.1, a column per method, the
# full model's beside them; the best method of each row is in bold. At these budgets the largest AUC
# loss of SSEDS against the full model is {glue:text}`worst_sseds_delta`
# ({glue:text}`worst_sseds_where`).

# %% tags=["hide-input"]
chapter.tables["small"]

# %% [markdown]
# SSEDS against each of them seed by seed, as in the verdict table: in the
# {glue:text}`all_verdict_cells` cells below SSEDS is {glue:text}`all_verdict_summary`
# ({glue:text}`all_verdict_seeds` paired seeds per cell, Holm-corrected at the 5% level).

# %% tags=["hide-input"]
chapter.tables["paired"]

# %% [markdown]
#
# ## Parameters actually kept
#
# The fraction of the full model's embedding parameters each method kept. The allocator never
# exceeds the budget; the achieved budget can fall short of it when no remaining column fits.
# Alignment maps (per-field $d_f \to D$ linear maps for models whose interactions need equal widths)
# are parameters outside the embedding tables. Should they count in the budget?
# {glue:text}`align_decision`

# %% tags=["hide-input"]
chapter.tables["kept"]
