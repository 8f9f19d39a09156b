"""The method registry: every way of choosing the slim model's widths (or entries), by name.

A method is an allocation function (a run's inputs -> an ``Allocation`` at its budget, or, for
element-wise pruning such as PEP, a ``search.pep.MaskAllocation``) plus what the rest of the package
needs to know about it: how it is evaluated (``evaluation``), whether it reads the search options
(then an ablation variant re-runs it) or PEP's settings, at which budgets it is defined, and how it
is shown (display name, colour, marker). Config validation, the CLI's choices, the figures and the
chapters all read this registry, so a new method is one ``register`` call next to its allocation
function.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..config.settings import SearchConfig
from ..errors import ConfigError
from .method_keys import (
    AUTODIM_SETTINGS,
    DIMGROW_SETTINGS,
    FREQUENCY_TEMPERATURES,
    REVISIONS,
    forget,
    method_identity,
    record,
)

# The registry is read by the command line (its choices) and by profile validation: the allocation
# functions import what they compute with (numpy, torch, the search) when they are called.
if TYPE_CHECKING:
    from ..search.allocate import Allocation
    from ..search.pep import MaskAllocation
    from .pretrain import GroupCache, Pretrained
    from .runs import RunSpec

# How a method's run is measured:
#   "pretrained": the pretrained full model itself (no slim model is trained);
#   "gated":      the pretrained model with the dropped columns gated to zero, not retrained;
#   "retrain":    a slim model with the allocated widths, trained with the run's training settings;
#   "masked":     a full-width model whose tables keep only the entries of an element mask
#                 (``MaskAllocation``), initialised as the allocation says and trained likewise.
EVALUATIONS = ("pretrained", "gated", "retrain", "masked")
# What a method is to the book:
#   "reference": what the others are measured against, not a method at a budget (full, oracle);
#   "search":    a search over the pretrained model or during training (sseds, prune_only, pep, pep_fresh);
#   "baseline":  an allocation that needs no search (uniform, random, magnitude, frequency).
ROLES = ("reference", "search", "baseline")
# The book's hand-picked lists of methods (``book_methods``), each in book order:
#   "verdict": the baselines SSEDS is tested against at equal parameters (chapter 4's verdict, claim (c));
#   "advice":  the methods chapter 7's practical advice chooses among;
#   "latency": the slim models chapter 6 times against the full one;
#   "planted": the methods chapter 3 sets against the planted truth and the Bayes AUC.
#   "field":   the methods chapter 4's comparison at budgets 0.05-0.5 sets against SSEDS (the field's
#              other answers: searches, element pruning, row sharing; any role).
BOOK_LISTS = ("verdict", "advice", "latency", "planted", "field")


@dataclass
class MethodInput:
    """What an allocation function may read. ``search_seconds`` and ``search_passes`` collect the
    cost of the shared search work (saliency, a PEP search run) the allocation used: its seconds, and
    its forward-and-backward passes over training batches. ``extra``: columns an allocation adds to
    its run's result row (SSEDS: ``field_saliency``); never part of the run's key."""

    ds: object
    pre: Pretrained
    spec: RunSpec
    cache: GroupCache
    search_seconds: float = 0.0
    search_passes: int = 0
    search_epochs: int = 0
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Method:
    name: str
    allocate: Callable[[MethodInput], Allocation]
    label: str
    color: str
    marker: str = "o"
    linestyle: str = "-"
    evaluation: str = "retrain"
    reads_search: bool = False
    # Search settings a method follows without reading the rest (baselines set against an SSEDS run
    # keep its unit, min_dim and init, so the two are compared under the same allocation rules).
    follows: tuple[str, ...] = ()
    reads_pep: bool = False  # its runs carry the study's PEP settings (``RunSpec.pep``)
    # Its widths (or its model) come from the pretrained full model: a practitioner pays for a full
    # training before it can choose anything (the book's table of methods, the end-to-end cost).
    reads_pretrained: bool = False
    only_budget: float | None = None  # the method exists at this budget alone (full: 1.0)
    below_full: bool = False  # defined only below budget 1 (a pruning search keeps everything at 1)
    description: str = ""
    needs_planted_truth: bool = False  # runs only on data with planted ranks (``data.has_planted_truth``)
    # Smallest budget at which the method is defined, given the base width D (None: any budget).
    min_budget: Callable[[int], float] | None = field(default=None, compare=False)
    role: str = "baseline"  # one of ROLES
    book_order: int = 100  # its place in the book's lists (``book_methods``): lower first
    book: tuple[str, ...] = ()  # the lists of BOOK_LISTS it joins
    summary: str = ""  # a phrase for the book's prose ("one width for every field"); else the description
    # Bumped when the allocation changes for the same settings, so cached rows of the old one are not
    # reused (0: never changed, and not in the run key, so older keys stay valid).
    revision: int = 0
    # The method's own settings (a search's candidate widths, a temperature grid): part of the run key.
    settings: tuple[tuple[str, object], ...] = ()
    # Raises the error its allocation would raise for these vocabularies and run, before any training
    # (None: the ranked allocator's check, or none for an element mask).
    check_inputs: Callable[[tuple[int, ...], RunSpec], None] | None = field(default=None, compare=False)
    reference: str = ""  # where the method comes from (paper, public code), for the book

    def identity(self) -> dict:
        """What this method adds to its runs' keys: its revision and settings, when it has any
        (``study.method_keys``, which ``study.runs`` reads)."""
        return method_identity(self.name)

    @property
    def in_verdict(self) -> bool:
        """Whether SSEDS is tested against it in the book's verdict (chapter 4, claim (c))."""
        return "verdict" in self.book

    @property
    def phrase(self) -> str:
        """How the book's prose describes it in a few words."""
        return self.summary or self.description or self.label

    def applies(self, budget: float, emb_dim: int) -> bool:
        if self.only_budget is not None:
            return budget == self.only_budget
        if self.below_full and budget >= 1.0:
            return False
        return self.min_budget is None or budget >= self.min_budget(emb_dim)

    def budgets(self, budgets) -> tuple[float, ...]:
        """The budgets of a study this method is asked to run at (before ``applies``)."""
        return (self.only_budget,) if self.only_budget is not None else tuple(budgets)

    def run_budgets(self, budgets, emb_dim: int) -> list[float]:
        """The budgets of a study at which this method runs, at base width ``emb_dim``: the one rule
        for the runs a sweep expands and for a profile's check that each method runs somewhere."""
        return [float(b) for b in self.budgets(budgets) if self.applies(b, emb_dim)]

    @property
    def search_fields(self) -> tuple[str, ...]:
        """The search settings this method's runs are keyed by (and its variants named by)."""
        if self.reads_search:
            return tuple(f.name for f in dataclasses.fields(SearchConfig))
        return self.follows if self.evaluation == "retrain" else tuple(f for f in self.follows if f != "init")

    def run_search(self, search: SearchConfig) -> SearchConfig:
        """The search settings of this method's run under the study's ``search``: the fields it reads
        or follows, library defaults for the others (so an ablation variant it ignores does not re-run
        it). A method that retrains nothing starts nothing, so its ``init`` is always ``scratch``."""
        if not self.reads_search:
            search = SearchConfig(**{f: getattr(search, f) for f in self.follows})
        return search if self.evaluation == "retrain" else dataclasses.replace(search, init="scratch")

    @property
    def style(self) -> dict:
        """Matplotlib keyword arguments for this method's line or marker."""
        style = {"color": self.color, "ls": self.linestyle}
        return {**style, "marker": self.marker} if self.marker else style


METHODS: dict[str, Method] = {}


def register(method: Method) -> Method:
    if method.evaluation not in EVALUATIONS:
        raise ValueError(f"method {method.name!r}: evaluation must be one of {EVALUATIONS}")
    if method.role not in ROLES:
        raise ValueError(f"method {method.name!r}: role must be one of {ROLES}")
    unknown = [b for b in method.book if b not in BOOK_LISTS]
    if unknown:
        raise ValueError(f"method {method.name!r}: unknown book list(s) {unknown}; expected some of {BOOK_LISTS}")
    if method.in_verdict and method.role != "baseline":
        raise ValueError(f"method {method.name!r}: only a baseline can be in the verdict (role {method.role!r})")
    if method.name in METHODS:
        raise ValueError(f"method {method.name!r} is registered twice")
    record(method.name, method.revision, method.settings)
    METHODS[method.name] = method
    return method


def unregister(name: str) -> Method:
    """Remove a registered method (a test's throwaway); returns it."""
    check_method(name)
    forget(name)
    return METHODS.pop(name)


@contextmanager
def registered(method: Method) -> Iterator[Method]:
    """``method`` registered for the duration of a ``with`` block, then removed."""
    register(method)
    try:
        yield method
    finally:
        unregister(method.name)


def get_method(name: str) -> Method:
    check_method(name)
    return METHODS[name]


def check_method(name: str, owner: str = "method") -> None:
    if name not in METHODS:
        raise ConfigError(f"{owner}: unknown method {name!r}; expected one of {', '.join(METHODS)}")


def check_allocation_inputs(vocab_sizes, spec: RunSpec) -> None:
    """Raise the error the run's allocation would raise for its budget and search options, before any
    training: the budget's range, ``min_dim`` and whether the budget keeps a column at all depend on
    the vocabulary sizes alone, never on the scores, so zero scores give the same verdict."""
    import numpy as np

    method = get_method(spec.method)
    emb_dim = spec.model.emb_dim
    if not method.applies(spec.budget, emb_dim):
        if method.below_full and spec.budget >= 1.0:
            raise ConfigError(f"budget {spec.budget:g}: method {method.name!r} prunes the full model; expected a "
                              "budget below 1")
        need = method.min_budget(emb_dim) if method.min_budget else method.only_budget
        raise ConfigError(f"budget {spec.budget:g}: method {method.name!r} needs a budget of at least {need:g}")
    if method.check_inputs is not None:
        method.check_inputs(tuple(vocab_sizes), spec)
        return
    if method.evaluation == "masked":  # an element mask (PEP): no widths, so no allocation rules to check
        return
    ranked_allocation(np.zeros((len(vocab_sizes), emb_dim)), vocab_sizes, spec.budget, spec.search)


def method_names(evaluation: str | None = None, role: str | None = None) -> tuple[str, ...]:
    """Registered method names in registration order, optionally only those evaluated one way or of
    one role (``ROLES``)."""
    if role is not None and role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}; got {role!r}")
    return tuple(n for n, m in METHODS.items() if evaluation in (None, m.evaluation) and role in (None, m.role))


def book_methods(book_list: str) -> tuple[str, ...]:
    """The registered methods of one of the book's lists (``BOOK_LISTS``), in book order (ties in
    registration order)."""
    if book_list not in BOOK_LISTS:
        raise ValueError(f"book list must be one of {BOOK_LISTS}; got {book_list!r}")
    return tuple(m.name for m in sorted((m for m in METHODS.values() if book_list in m.book),
                                        key=lambda m: m.book_order))


def verdict_baselines() -> tuple[str, ...]:
    """The baselines SSEDS is tested against in the book's verdict, in book order."""
    return book_methods("verdict")


def reduced_methods() -> tuple[str, ...]:
    """Methods that produce a reduced model (everything but the full-width reference)."""
    return tuple(n for n, m in METHODS.items() if m.evaluation != "pretrained")


# -- allocation functions ------------------------------------------------------------------------------
def _vocab(x: MethodInput) -> tuple[int, ...]:
    return x.ds.vocab_sizes


def allocate_full(x: MethodInput) -> Allocation:
    from ..search import baselines

    return baselines.full_allocation(_vocab(x), x.spec.model.emb_dim)


def ranked_allocation(scores, vocab_sizes, budget: float, search: SearchConfig) -> Allocation:
    """Scores -> widths under the run's allocation rules, at the parameter fraction ``budget``.

    budget_unit "params": the greedy walk of ``allocate_dims``. "dims": the ranking's longest prefix
    that fits the same parameter budget (``allocate_dims_at_params``), so a dims-unit variant is
    compared at the same parameter fraction as everything else, never at a larger one. The budget of
    every method of the study is a fraction of embedding parameters.
    """
    from ..search.allocate import allocate_dims, allocate_dims_at_params

    if search.budget_unit == "dims":
        return allocate_dims_at_params(scores, vocab_sizes, budget, rank_by=search.rank_by, min_dim=search.min_dim)
    return allocate_dims(scores, vocab_sizes, budget, budget_unit="params", rank_by=search.rank_by,
                         min_dim=search.min_dim)


def allocate_sseds(x: MethodInput) -> Allocation:
    from ..search.regime_rule import field_importance
    from .pretrain import saliency_for_spec

    scores, seconds = saliency_for_spec(x.ds, x.pre, x.spec, x.cache)
    x.search_seconds += seconds
    x.search_passes += x.spec.search.num_batches  # K scoring batches: one forward and backward each
    # Each field's summed |saliency|: the regime map measures importance_gini and size_importance_rho
    # from it (search.regime_rule) without rescoring the pretrained model.
    x.extra["field_saliency"] = json.dumps([float(f"{v:.8g}") for v in field_importance(scores)])
    return ranked_allocation(scores, _vocab(x), x.spec.budget, x.spec.search)


def allocate_uniform(x: MethodInput) -> Allocation:
    from ..search import baselines

    return baselines.uniform_filled_allocation(_vocab(x), x.spec.model.emb_dim, x.spec.budget)


def allocate_random(x: MethodInput) -> Allocation:
    from ..search import baselines

    scores = baselines.random_scores(len(_vocab(x)), x.spec.model.emb_dim, x.spec.seed)
    return ranked_allocation(scores, _vocab(x), x.spec.budget, x.spec.search)


def allocate_magnitude(x: MethodInput) -> Allocation:
    from ..search import baselines

    scores = baselines.magnitude_scores(x.pre.model.embedding.field_weights())
    return ranked_allocation(scores, _vocab(x), x.spec.budget, x.spec.search)


def allocate_frequency(x: MethodInput) -> Allocation:
    from ..data.stats import value_counts
    from ..search import baselines

    scores = baselines.frequency_scores(value_counts(x.ds, "train"), _vocab(x), x.spec.model.emb_dim)
    return ranked_allocation(scores, _vocab(x), x.spec.budget, x.spec.search)




def allocate_frequency_tuned(x: MethodInput) -> Allocation:
    """The power rule at the temperature whose retrained slim model has the best validation AUC.

    Every candidate is retrained with the run's settings (shared with any other run of the group
    whose allocation is the same, e.g. ``frequency`` at 0.3); the chosen one is the run's model, so
    it is not trained twice. The cost of choosing, the other candidates' training passes and seconds,
    is the search cost of the run. Ties go to the first temperature in the grid.
    """
    from ..data.stats import value_counts
    from ..search import baselines
    from .retrain import retrain_cached, slim_retrain_key

    counts = value_counts(x.ds, "train")
    candidates = []
    for alpha in FREQUENCY_TEMPERATURES:
        scores = baselines.frequency_scores(counts, _vocab(x), x.spec.model.emb_dim, alpha=alpha)
        alloc = ranked_allocation(scores, _vocab(x), x.spec.budget, x.spec.search)
        fit = retrain_cached(x.ds, x.pre, x.spec, alloc, x.cache)
        candidates.append((alpha, alloc, fit, slim_retrain_key(x.spec, alloc)))
    best = max(range(len(candidates)), key=lambda i: (candidates[i][2]["valid_auc"], -i))
    # The cost of choosing: each distinct allocation other than the chosen one, trained once (temperatures
    # that give the same widths share a retrain, so they cost nothing more).
    others = {key: fit for _alpha, _alloc, fit, key in candidates if key != candidates[best][3]}
    for fit in others.values():
        x.search_seconds += fit["train_seconds"]
        x.search_passes += fit["epochs"] * fit["epoch_passes"]
        x.search_epochs += fit["epochs"]
    x.extra["frequency_distinct"] = len(others) + 1
    x.extra["frequency_alpha"] = candidates[best][0]
    x.extra["frequency_valid_aucs"] = json.dumps([round(c[2]["valid_auc"], 6) for c in candidates])
    return candidates[best][1]


def _magnitude_weights(x: MethodInput, init: str):
    from ..search.weight_pruning import magnitude_weight_allocation

    state = {k: v.detach().clone() for k, v in x.pre.model.state_dict().items()} if init == "pretrained" else None
    return magnitude_weight_allocation(x.pre.model.embedding.field_weights(), x.spec.budget, init, state)


def allocate_magnitude_weights(x: MethodInput):
    return _magnitude_weights(x, "pretrained")


def allocate_magnitude_weights_fresh(x: MethodInput):
    return _magnitude_weights(x, "fresh")




def _width_search(x: MethodInput, name: str, settings: tuple):
    """One search run per group (AutoDim's or DimGrow's), shared by every budget of the group."""
    from ..search.autodim import autodim_search
    from ..search.dimgrow import dimgrow_search

    key = (name, settings)
    if key not in x.cache.searches:
        start = time.perf_counter()
        opts = dict(settings)
        if name == "autodim":
            cands = tuple(c for c in opts.pop("candidates") if c < x.spec.model.emb_dim) + (x.spec.model.emb_dim,)
            result = autodim_search(x.pre.model, x.ds, batch_size=x.spec.train.batch_size, seed=x.spec.seed,
                                    candidates=cands, **opts)
        else:
            result = dimgrow_search(x.pre.model, x.ds, batch_size=x.spec.train.batch_size, seed=x.spec.seed,
                                    **opts)
        seconds = time.perf_counter() - start
        x.cache.searches[key] = (result, seconds)
        x.cache.shared_seconds += seconds
    result, seconds = x.cache.searches[key]
    x.search_seconds += seconds
    x.search_passes += result.passes + result.valid_passes
    x.extra[f"{name}_detail"] = json.dumps(result.detail)
    return ranked_allocation(result.scores, _vocab(x), x.spec.budget, x.spec.search)


def allocate_autodim(x: MethodInput) -> Allocation:
    return _width_search(x, "autodim", AUTODIM_SETTINGS)


def allocate_dimgrow(x: MethodInput) -> Allocation:
    return _width_search(x, "dimgrow", DIMGROW_SETTINGS)


def allocate_qr(x: MethodInput):
    from ..errors import NotReached
    from ..search.qr import min_qr_budget, qr_allocation

    floor = min_qr_budget(_vocab(x), x.spec.model.emb_dim)
    if x.spec.budget < floor:  # an outcome of the method on these vocabularies, as PEP's unreached budgets are
        raise NotReached(f"qr: budget {x.spec.budget:g} is below the fewest rows quotient-remainder tables at width "
                         f"{x.spec.model.emb_dim} can have on these vocabularies (a fraction of {floor:.4g})")
    alloc = qr_allocation(_vocab(x), x.spec.model.emb_dim, x.spec.budget)
    x.extra["qr_collisions"] = json.dumps(list(alloc.collisions))
    return alloc


def check_qr(vocab_sizes: tuple[int, ...], spec: RunSpec) -> None:
    from ..search.qr import qr_allocation

    qr_allocation(vocab_sizes, spec.model.emb_dim, spec.budget)


def check_weights(vocab_sizes: tuple[int, ...], spec: RunSpec) -> None:
    """Element-wise magnitude pruning keeps one entry per value row: the budget must allow it."""
    from ..search._checks import SearchInputError, budget_limit

    total = sum(vocab_sizes) * spec.model.emb_dim
    if budget_limit(spec.budget, total) < sum(vocab_sizes):
        raise SearchInputError(f"budget {spec.budget:g} keeps fewer embedding entries than there are value rows "
                               f"({sum(vocab_sizes)}); magnitude_weights needs at least 1/{spec.model.emb_dim}")


def allocate_oracle(x: MethodInput) -> Allocation:
    from ..data.stats import planted_ranks
    from ..search import baselines

    # The planted ranks unscaled: a reference for what the right widths score, whatever they cost.
    return baselines.oracle_allocation(planted_ranks(x.ds), _vocab(x), x.spec.model.emb_dim)


def _pep_mask(x: MethodInput, init: str) -> MaskAllocation:
    from ..search.pep import mask_allocation
    from .pep import load_or_search

    search = load_or_search(x.ds, x.spec, x.cache)  # one search run per group and PEP settings
    x.search_seconds += search.seconds
    x.search_passes += search.passes
    x.search_epochs += search.epochs
    snapshot = search.snapshot(x.spec.budget)
    return mask_allocation(snapshot, init, search.initial_state if init == "rewind" else None)


def allocate_pep(x: MethodInput) -> MaskAllocation:
    return _pep_mask(x, "rewind")


def allocate_pep_fresh(x: MethodInput) -> MaskAllocation:
    return _pep_mask(x, "fresh")


register(Method("full", allocate_full, "full width", "black", marker="", linestyle="--", evaluation="pretrained",
                only_budget=1.0, description="every field keeps all D dimensions (the reference)",
                reads_pretrained=True, role="reference", book_order=0, book=("planted",)))
register(Method("sseds", allocate_sseds, "SSEDS", "#c0392b", "o", reads_search=True,
                description="gate-gradient saliency of the pretrained model, greedy under the budget",
                reads_pretrained=True, role="search", book_order=10, book=("advice", "latency", "planted")))
# A filled X, not "x": seaborn cannot mix line-art and filled markers in one plot.
register(Method("prune_only", allocate_sseds, "SSEDS, no retrain", "#e67e22", "X", ":", evaluation="gated",
                reads_search=True, description="SSEDS's columns zeroed in the pretrained model, not retrained",
                reads_pretrained=True, role="search", book_order=20))
# The ranked baselines follow the SSEDS run's allocation rules: its unit, min_dim and init.
RULES = ("budget_unit", "min_dim", "init")
# The book lists the verdict's baselines as uniform, frequency, random, magnitude (``book_order``).
register(Method("uniform", allocate_uniform, "uniform", "#2980b9", "s", follows=("init",),
                # Equal widths cost at least one dimension per field: a budget of 1/D.
                min_budget=lambda emb_dim: 1.0 / emb_dim,
                description="the largest equal width d for every field, the rest of the budget handed out level "
                            "by level, cheapest field first, until no column fits (within one column of b)",
                revision=REVISIONS["uniform"],  # 1: water-filling to the budget (0 stopped at widths d or d + 1)
                role="baseline", book_order=30, book=("verdict", "advice", "latency", "planted", "field"),
                summary="one width for every field"))
register(Method("random", allocate_random, "random", "#7f8c8d", "v", follows=RULES,
                description="a seeded random ranking through the same allocator",
                role="baseline", book_order=50, book=("verdict", "advice"), summary="a random ranking of the columns"))
register(Method("magnitude", allocate_magnitude, "magnitude", "#27ae60", "^", follows=RULES,
                description="column RMS of the pretrained tables through the same allocator",
                reads_pretrained=True, role="baseline", book_order=60, book=("verdict", "advice", "field"),
                summary="columns ranked by the pretrained weights' size"))
register(Method("frequency", allocate_frequency, "frequency", "#8e44ad", "D", follows=RULES,
                description="widths from feature popularity (power law, alpha 0.3) through the same allocator",
                role="baseline", book_order=40, book=("verdict", "advice", "latency", "planted", "field"),
                summary="widths by how often a field's values occur"))
register(Method("pep", allocate_pep, "PEP", "#e84393", "*", evaluation="masked", reads_pep=True, below_full=True,
                description="learnable soft thresholds (Liu et al., ICLR 2021); the mask saved when the kept fraction "
                            "first falls to the budget, retrained from the search run's initial weights (rewind)",
                role="search", book_order=70, book=("advice", "latency")))
register(Method("pep_fresh", allocate_pep_fresh, "PEP, fresh init", "#fd79a8", "*", ":", evaluation="masked",
                reads_pep=True, below_full=True,
                description="PEP's mask of the same search run, retrained from a new random initialisation",
                role="search", book_order=80))
register(Method("oracle", allocate_oracle, "planted ranks", "#b8860b", "P", only_budget=1.0, needs_planted_truth=True,
                description="the planted rank of every field as its width (capped at D), retrained: a sanity reference "
                            "on synthetic data, not a method at a budget; its budget is whatever the planted ranks cost "
                            "(achieved_budget), and it sits in the budget-1.0 cells",
                role="reference", book_order=90, book=("planted",)))

# -- the field's other answers (chapter 4's comparison at budgets 0.05-0.5, the "field" list) ----------------
register(Method("frequency_tuned", allocate_frequency_tuned, "frequency (tuned)", "#6c3483", "d", ":", follows=RULES,
                description="the power rule with its temperature chosen on validation AUC among "
                            + ", ".join(f"{a:g}" for a in FREQUENCY_TEMPERATURES) + " (each candidate retrained)",
                settings=(("temperatures", FREQUENCY_TEMPERATURES),),
                reference="Ginart et al., mixed dimension embeddings (ISIT 2021); DLRM md_solver",
                role="baseline", book_order=45, book=("field",), summary="the power rule, temperature tuned"))
register(Method("magnitude_weights", allocate_magnitude_weights, "weight magnitude", "#16a085", "h", evaluation="masked",
                below_full=True, min_budget=lambda emb_dim: 1.0 / emb_dim, check_inputs=check_weights,
                description="the largest single entries of the pretrained tables (one per value row kept), "
                            "the mask fine-tuned from the pretrained weights; sparse tables with their indices",
                reads_pretrained=True, reference="Tran et al. 2024, recsys-benchmark (chenxing1999/recsys-benchmark)",
                role="baseline", book_order=62, book=("field",),
                summary="single pretrained weights ranked by size"))
register(Method("magnitude_weights_fresh", allocate_magnitude_weights_fresh, "weight magnitude (fresh)", "#48c9b0", "h",
                ":", evaluation="masked", below_full=True, min_budget=lambda emb_dim: 1.0 / emb_dim,
                check_inputs=check_weights,
                description="the same mask as magnitude_weights, retrained from a new random initialisation",
                reads_pretrained=True, reference="Tran et al. 2024; the lottery-ticket control of PEP's fresh init",
                role="baseline", book_order=64, book=("field",)))
register(Method("autodim", allocate_autodim, "AutoDim", "#d35400", "p", follows=RULES, reads_pretrained=True,
                description="per-field softmax weights over candidate widths (shared table, linear maps and batch "
                            "norm), first-order bi-level search on validation batches, warm-started from the "
                            "pretrained model; each column's probability of being used ranks it for the budget",
                settings=AUTODIM_SETTINGS, reference="Zhao et al., AutoDim (WWW 2021)",
                role="search", book_order=24, book=("field",), summary="a differentiable search over candidate widths"))
register(Method("dimgrow", allocate_dimgrow, "DimGrow gates", "#2c3e50", "<", follows=RULES, reads_pretrained=True,
                description="shuffle gates: each dimension mixed with its batch-shuffled copy, L1 on the gates, "
                            "warm-started from the pretrained model; the gates rank the columns for the budget",
                settings=DIMGROW_SETTINGS, reference="DimGrow (arXiv 2505.12683), goldenNormal/Autogrow shuffle_dim.py",
                role="search", book_order=26, book=("field",), summary="shuffle gates on every dimension"))
register(Method("qr", allocate_qr, "QR embeddings", "#f1c40f", "8", check_inputs=check_qr,
                description="quotient-remainder compositional tables at full width D, the rows of the largest "
                            "tables shared until the embedding parameters fit the budget; trained from scratch",
                reference="Shi et al., compositional embeddings (KDD 2020); DLRM QREmbeddingBag",
                role="baseline", book_order=66, book=("field",),
                summary="fewer rows (shared by products) instead of narrower ones"))
