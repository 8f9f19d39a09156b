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
# # Pretraining the base models
#
# SSEDS starts from a model trained with the same width $D$ for every field. This chapter trains
# the five base models (FM, DeepFM, Wide&Deep, DCN, IPNN) at full width on each dataset of the
# profile, with early stopping on validation AUC, over several seeds. The same checkpoints are the
# starting point of every search in the later chapters: they are trained once and cached.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %%
import matplotlib.pyplot as plt
import pandas as pd
from myst_nb import glue

from sseds_study.figures.results import plot_learning_curves
from sseds_study.analysis import ALL_MODELS, pretrain_all
from sseds_study.study import load_profile, summarise_over_seeds

pd.set_option("display.max_rows", 200)
study = load_profile(profile)
summary, history = pretrain_all(study, models=ALL_MODELS, progress=False)
datasets = ", ".join(f"{d} ({n:,} rows)" for d, n in summary.groupby("dataset", sort=False)["rows"].first().items())
print(f"profile {profile}: {datasets}; base width D = {study.model.emb_dim}; seeds {list(study.seeds)}")

# %% [markdown]
# ## Learning curves
#
# Mean over seeds of the training loss and the validation AUC at each epoch. Training stops when the
# validation AUC has not improved for `patience` epochs; the best epoch's weights are kept.

# %%
fig = plot_learning_curves(history, title=f"Full-width models, profile {profile}")
glue("fig_learning_curves", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_learning_curves
# :name: fig-learning-curves
#
# Training loss and validation AUC per epoch for each base model at full width (mean over seeds).
# ```
#
# ## Test metrics
#
# Test AUC and logloss of the best checkpoint: mean and 95% interval (Student t) over seeds.

# %%
table = summarise_over_seeds(summary, ["dataset", "model"], ["test_auc", "test_logloss"])
table.round(4)

# %% [markdown]
# ## How much of each model is embedding
#
# The embedding tables are where SSEDS saves parameters. Their share of all parameters tells how
# much a smaller embedding can shrink the whole model.

# %%
share = summary.groupby(["dataset", "model"], sort=False)[["emb_params", "total_params", "emb_share"]].first()
share["emb_share"] = share["emb_share"].round(3)
share

# %%
best = table.loc[table["test_auc_mean"].idxmax()]
glue("best_model", f"{best['model']} on {best['dataset']}", display=False)
glue("best_auc", f"{best['test_auc_mean']:.4f}", display=False)
glue("min_emb_share", f"{summary['emb_share'].min():.1%}", display=False)

# %% [markdown]
# The best full-width model of this profile is {glue:text}`best_model` with a mean test AUC of
# {glue:text}`best_auc`. In every model here the embedding tables hold at least
# {glue:text}`min_emb_share` of all parameters, so the embedding budget is the model's size.
