"""The analyses behind the book's chapters, one module per chapter; each ``*_chapter(profile)``
returns a ``Chapter`` (header, figures, tables, glued text) that its notebook only displays.

Chapter modules: ``data``, ``pretrain``, ``search``, ``budget``, ``ablation``, ``efficiency``,
``claims``, ``reproducibility``. A chapter's helpers carry its name (``budget_alignment``,
``claims_rules``, ...); what several chapters use is in ``common``, ``chapter``, ``tables`` and
``variants`` (how a search variant is named). No
chapter module or helper imports another chapter's modules.

A report on one's own table (``sseds report``) shows the same chapters on the profile's own dataset
and runs alone: ``data.profile_data_chapter``, ``search.widths_chapter``, ``budget.verdict_chapter``
and its summary page, ``claims_report.summary_chapter``."""

from .ablation import ablation_chapter, ablation_study
from .ablation_factorial import main_effects
from .ablation_main_effects import ablation_rerun_chapter
from .ablation_variant_choice import validation_ranking
from .budget import budget_chapter, compare_methods
from .chapter import Chapter
from .common import exact_agreement, exact_reference, load_pretrained, saliency_scores, search_costs
from .data import data_chapter
from .efficiency import efficiency_chapter, latency_ratios
from .pretrain import ALL_MODELS, pretrain_all, pretrain_chapter
from .search import planted_truth, search_chapter, widths_by_budget

__all__ = [
    "ALL_MODELS", "Chapter", "ablation_chapter", "ablation_rerun_chapter", "ablation_study", "budget_chapter", "compare_methods", "data_chapter",
    "efficiency_chapter", "exact_agreement", "exact_reference", "latency_ratios", "search_costs",
    "load_pretrained", "planted_truth", "pretrain_all", "pretrain_chapter", "saliency_scores",
    "main_effects", "search_chapter", "validation_ranking", "widths_by_budget",
]
