"""Figures: encoded datasets and result tables -> matplotlib figures. No training and no file I/O.

* ``style.py``: the one convention every figure follows (title, size, fonts), and the colours and
  markers of methods, for matplotlib and for seaborn;
* ``data.py``: figures of an encoded dataset (the data chapter);
* ``results.py``: figures of the pretraining and search chapters' results (seaborn);
* ``comparison.py``: figures comparing methods or settings (budget, ablation, efficiency chapters): paired
  changes seed by seed with seaborn, the Pareto front of deployed bytes with matplotlib.

Every function returns a :class:`matplotlib.figure.Figure` that is already closed (a notebook shows
it once, where it is glued or displayed) and titled with the dataset(s), their number of rows and the
study profile, so that a figure copied out of the book still says what it shows. The per-field
statistics behind the data figures live in :mod:`sseds_study.data.stats`.
"""
