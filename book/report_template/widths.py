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
# # Saliency and per-field widths
#
# SSEDS scores every dimension $j$ of every field $f$ of the pretrained full model by the gradient of
# the training loss with respect to a gate on it, and keeps the highest-scoring (field, dimension)
# pairs while the kept embedding parameters $\sum_f V_f d_f$ stay within the budget
# $b \sum_f V_f D$, every field keeping at least `min_dim` dimensions. This page shows the scores and
# the widths they give each field of this table; the book's third chapter, on this table.

# %% tags=["parameters", "remove-cell"]
profile = "smoke"

# %% tags=["hide-input"]
from sseds_study.analysis.search import widths_chapter

# %% tags=["hide-input"]
chapter = widths_chapter(profile)

# %% tags=["hide-input"]
print(chapter.header)

# %% tags=["hide-input"]
chapter.glue()

# %% [markdown]
# ```{glue:figure} fig_saliency_main
# :name: fig-saliency-main
#
# Saliency of each embedding dimension of the pretrained model (fields as rows, the $D$ dimensions
# as columns; first base model, first seed).
# ```
#
# ## Widths per field at each budget
#
# At budget {glue:text}`widths_budget` ({glue:text}`widths_model`, seed {glue:text}`widths_seed`,
# of $D$ = {glue:text}`widths_dim`), the widest fields are {glue:text}`widths_widest` and the
# narrowest {glue:text}`widths_narrowest`. Every base model's widths (a field's width need not grow
# with the budget: an expensive column that no longer fits is skipped for cheaper ones further down
# the ranking):

# %% tags=["hide-input"]
chapter.tables["widths"]

# %% [markdown]
# ```{glue:figure} fig_widths_main
# :name: fig-widths-main
#
# The width SSEDS gives each field at each budget (first base model, first seed).
# ```
