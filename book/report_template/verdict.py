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
# Every method is given the same budget $b$, a fraction of the full model's embedding parameters
# $\sum_f V_f D$, under the same rules (every field keeps at least one dimension), and is retrained
# from scratch with the same seed and the same tuned training settings. Runs with the same seed share
# the data split and the pretrained model, so each method is compared with SSEDS seed by seed; the
# book's fourth chapter, on this table.

# %% tags=["parameters", "remove-cell"]
profile = "smoke"

# %% tags=["hide-input"]
from sseds_study.analysis.budget import verdict_chapter

# %% tags=["hide-input"]
chapter = verdict_chapter(profile)

# %% tags=["hide-input"]
print(chapter.header)

# %% tags=["hide-input"]
chapter.glue()

# %% [markdown]
# ## The verdict: SSEDS against {glue:text}`verdict_baseline_count` allocations at equal parameters
#
# SSEDS is set against the {glue:text}`verdict_baseline_count` allocations that spend the same
# embedding parameters under the same rules: {glue:md}`verdict_baselines`. Each cell is the mean of the
# per-seed differences SSEDS − baseline with its paired 95% interval; a paired t test per cell,
# Holm-corrected across the table, gives the verdict (▲ SSEDS better, ▼ worse, · indistinguishable; † borderline).
# Of the {glue:text}`verdict_cells` cells, SSEDS is {glue:text}`verdict_summary`
# ({glue:text}`verdict_seeds` paired seeds per cell). Its largest gain is {glue:text}`verdict_best`;
# its largest loss {glue:text}`verdict_worst`.
# {glue:text}`verdict_stability` (A cell marked † is borderline: a few more seeds could move its
# verdict either way, so it should not be read on its own.)

# %% tags=["hide-input"]
chapter.tables["verdict"]

# %% [markdown]
# The same runs as mean test AUC per method, the full model beside them:

# %% tags=["hide-input"]
chapter.tables["verdict_means"]

# %% [markdown]
# ## Test AUC against budget
#
# ```{glue:figure} fig_budget_main
# :name: fig-budget-main
#
# Change in test AUC against the full model of the same seed, by embedding budget, for each method
# and base model: mean over seeds with a 95% interval, every seed a faint dot.
# ```
#
# ## Every method
#
# {glue:text}`every_scope` Every method the profile runs, mean test AUC with the half-width of its 95% interval, a
# row per method (the full model's first) and a column per base model and budget; the best method of
# each column in bold. The largest loss of SSEDS against the full
# model here is {glue:text}`worst_sseds_delta` ({glue:text}`worst_sseds_where`).

# %% tags=["hide-input"]
chapter.tables["small"]

# %% [markdown]
# SSEDS against each of them seed by seed: in the {glue:text}`all_verdict_cells` cells below SSEDS is
# {glue:text}`all_verdict_summary`.

# %% tags=["hide-input"]
chapter.tables["paired"]

# %% [markdown]
# The fraction of the full model's embedding parameters each method kept (the full model keeps all of
# them and is left out); the allocator never exceeds the budget.

# %% tags=["hide-input"]
chapter.tables["kept"]
