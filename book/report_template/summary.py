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
# # Summary
#
# Does a width search pay on this table? The report runs the book's protocol on it (profile
# {glue:text}`profile`): every method is given the same fraction of the full model's embedding
# parameters, retrained with the same tuned settings, and compared seed by seed with SSEDS.

# %% tags=["parameters", "remove-cell"]
profile = "smoke"

# %% tags=["hide-input"]
from sseds_study.analysis.claims_report import summary_chapter

# %% tags=["hide-input"]
chapter = summary_chapter(profile)

# %% tags=["hide-input"]
print(chapter.header)

# %% tags=["hide-input"]
chapter.glue()

# %% [markdown]
# ## The answer
#
# At {glue:text}`budgets`, with {glue:text}`models`, {glue:text}`answer`. Of the
# {glue:text}`cells` cells of the verdict (SSEDS against each baseline at equal parameters,
# {glue:text}`seeds` paired seeds each), SSEDS is better in {glue:text}`better`, worse in
# {glue:text}`worse` and indistinguishable in {glue:text}`indistinguishable`
# ([the verdict](verdict.ipynb) shows every cell).
#
# ## The advice
#
# The book's rule (its chapter 7, on practical advice) is applied per base model and budget:
# use the method with the best mean test AUC if it beats {glue:text}`cheapest` (equal widths: no
# pretraining, no search) distinguishably, otherwise {glue:text}`cheapest`, which is as good within
# the noise and cheaper.

# %% tags=["hide-input"]
chapter.tables["advice"]

# %% [markdown]
# ## What this run can and cannot conclude
#
# This report ran the **{glue:text}`tier`** tier: {glue:text}`tier_what`
# ({glue:text}`runs` finished runs, {glue:text}`run_minutes` minutes of training summed over runs).
# Across the verdict's cells, the per-seed differences SSEDS − baseline have a standard deviation of
# {glue:text}`noise` AUC. At that noise, with these seeds and a Holm correction over these cells, a
# difference smaller than {glue:text}`declares` AUC cannot be declared: a cell marked
# indistinguishable says only that the difference, if any, is about that small or smaller, not that
# there is none. The other tiers, at the same noise: {glue:text}`other_tiers`.

# %% tags=["hide-input"]
chapter.tables["tiers"]

# %% [markdown]
# What no tier can conclude here: anything about budgets, base models or methods it did not run;
# anything about data drawn differently from this table (each seed splits this table 8:1:1 at
# random, so a time-ordered deployment is not what is measured); and a verdict from the test split
# of a profile edited after seeing it (settings are chosen on validation data, the test split read
# once). The [data](data.ipynb) and [widths](widths.ipynb) pages show what the methods saw and chose.
