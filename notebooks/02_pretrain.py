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

# %% tags=["hide-input"]
from sseds_study.analysis import pretrain_chapter

# %% tags=["hide-input"]
chapter = pretrain_chapter(profile)

# %% tags=["hide-input"]
print(chapter.header)

# %% tags=["hide-input"]
chapter.glue()

# %% [markdown]
# ## Learning curves
#
# Mean over seeds of the training loss and the validation AUC at each epoch. Training stops when the
# validation AUC has not improved for `patience` epochs; the best epoch's weights are kept.

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

# %% tags=["hide-input"]
chapter.tables["metrics"]

# %% [markdown]
# ## How much of each model is embedding
#
# The embedding tables are where SSEDS saves parameters. Their share of all parameters tells how
# much a smaller embedding can shrink the whole model.

# %% tags=["hide-input"]
chapter.tables["share"]

# %% [markdown]
# The best full-width model of this profile is {glue:text}`best_model` with a mean test AUC of
# {glue:text}`best_auc`. In every model here the embedding tables hold at least
# {glue:text}`min_emb_share` of all parameters, so the embedding budget is the model's size.
