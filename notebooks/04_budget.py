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
# ## Test AUC against budget
#
# A column of panels per base model (its title gives the full model's mean test AUC); each row
# compares SSEDS with two baselines, and the last row with `prune_only`, whose AUC falls much further
# and would flatten the others on a shared axis. The dashed line at zero is the full model. With
# three seeds a 95% interval is wide: one seed far from the others stretches it.

# %% [markdown]
# ```{glue:figure} fig_budget_movielens100k
# :name: fig-budget-movielens
#
# MovieLens-100K as CTR: change in test AUC against the full model of the same seed, by embedding
# budget, for each method and base model.
# ```
#
# ```{glue:figure} fig_budget_synthetic
# :name: fig-budget-synthetic
#
# Synthetic data with planted field ranks: change in test AUC against the full model, by embedding
# budget.
# ```

# %% [markdown]
# ## SSEDS against the baselines at small budgets
#
# Mean test AUC with the half-width of its 95% interval at budgets 0.2 and 0.1 (the smoke profile:
# its smallest budgets), a column per method, the full model's beside them; the best method of each
# row is in bold.

# %% tags=["hide-input"]
chapter.tables["small"]

# %% [markdown]
# At these small budgets the largest AUC loss of SSEDS against the full model is
# {glue:text}`worst_sseds_delta` ({glue:text}`worst_sseds_where`).
#
# ## SSEDS against each baseline, seed by seed
#
# Runs with the same seed share the data split, the pretrained model and the retraining seed, so
# each method is compared with SSEDS by the per-seed difference of their test AUC: its mean, its
# paired 95% interval, a paired t test, and Holm's correction across every cell of the table; each
# cell's mark is its verdict (▲ SSEDS better, ▼ worse, · indistinguishable). In the
# {glue:text}`verdict_cells` cells below SSEDS is {glue:text}`verdict_summary`
# ({glue:text}`verdict_seeds` paired seeds per cell, Holm-corrected at the 5% level).

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
