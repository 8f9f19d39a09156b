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
# # Appendix: the ablation's long tables
#
# The tables behind {doc}`05_ablation`, too long for its page: the validation ranking of the
# variants, every main effect and every two-factor interaction per model × budget cell, and the
# fraction of the embedding parameters each variant kept. With two seeds each interval is a Student-t
# interval with one degree of freedom, so these tables screen for large effects only (chapter 5
# gives the screen's resolution). The last two tables are those of the ten-seed rerun of four factors
# ({ref}`ten-seeds`), per model × budget cell.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["remove-input"]
from sseds_study.analysis import ablation_chapter, ablation_rerun_chapter

# %% tags=["remove-input"]
chapter = ablation_chapter(profile)

# %% tags=["remove-cell"]
print(chapter.header)

# %% tags=["remove-input"]
rerun = ablation_rerun_chapter(profile)

# %% tags=["remove-cell"]
print(rerun.header)

# %% [markdown]
# ## The validation ranking
#
# For each base model, the variants ranked by their mean validation AUC over budgets and seeds (a
# tie, which happens when a setting changes nothing, goes to the default setting), with the default
# setting's row below them.

# %% tags=["remove-input"]
chapter.tables["ranking"]

# %% [markdown]
# ## Main effects per cell
#
# Each factor's main effect on validation AUC in every model × budget cell, and pooled over the cells
# in the last column; {numref}`fig-effects` in chapter 5 draws the cells.

# %% tags=["remove-input"]
chapter.tables["effects"]

# %% [markdown]
# ## Interactions
#
# An interaction asks whether one factor's effect depends on another's level: the effect of the first
# contrast with the second factor at its other level, minus the same effect with it at its base level.

# %% tags=["remove-input"]
chapter.tables["interactions"]

# %% [markdown]
# ## Kept parameters
#
# The fraction of the full model's embedding parameters each variant kept, per model and budget, and
# the fields it left at width 0.

# %% tags=["remove-input"]
chapter.tables["kept"]

# %% [markdown]
# ## The ten-seed rerun, per cell
#
# Each factor's main effect in the half fraction of chapter 5 ({ref}`ten-seeds`), per
# model × budget cell and pooled over the cells, on validation AUC, where its verdicts are drawn;
# {numref}`fig-rerun` draws the same numbers.

# %% tags=["remove-input"]
rerun.tables["rerun_cells"]

# %% [markdown]
# The same effects on test AUC, read once for reporting: no choice in the chapter is made on them.

# %% tags=["remove-input"]
rerun.tables["rerun_cells_test"]
