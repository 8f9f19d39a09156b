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
# Each point is a mean over seeds (each seed with its own data split), with its 95% interval.

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
# One panel per base model. The dashed line and grey band are the full-width model.

# %% [markdown]
# ```{glue:figure} fig_budget_movielens100k
# :name: fig-budget-movielens
#
# MovieLens-100K as CTR: test AUC against the embedding budget for each method and base model.
# ```
#
# ```{glue:figure} fig_budget_synthetic
# :name: fig-budget-synthetic
#
# Synthetic data with planted field ranks: test AUC against the embedding budget.
# ```

# %% [markdown]
# ## SSEDS against the baselines at small budgets
#
# Mean test AUC (and 95% interval half-width) at budgets 0.2 and 0.1 (the smoke profile: its smallest
# budgets); `delta_vs_full` is the difference from the full model of the same dataset and base model.

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
# paired 95% interval, a paired t test, and Holm's correction across every cell of the table. In the
# {glue:text}`verdict_cells` cells below SSEDS is {glue:text}`verdict_summary`
# ({glue:text}`verdict_seeds` paired seeds per cell, Holm-corrected at the 5% level).

# %% tags=["hide-input"]
chapter.tables["paired"]

# %% [markdown]
#
# ## Parameters actually kept
#
# The allocator never exceeds the budget; the achieved budget can fall short of it when no remaining
# column fits. Alignment maps (per-field $d_f \to D$ linear maps for models whose interactions need
# equal widths) add parameters outside the embedding budget; they are counted in the total.

# %% tags=["hide-input"]
chapter.tables["kept"]
