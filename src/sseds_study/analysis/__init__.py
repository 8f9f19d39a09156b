"""The analyses behind the book's chapters, one module per chapter; each ``*_chapter(profile)``
returns a ``Chapter`` (header, figures, tables, glued text) that its notebook only displays."""

from .ablation import ablation_chapter, ablation_study
from .budget import budget_chapter, compare_methods
from .chapter import Chapter
from .efficiency import efficiency_chapter, latency_ratios, search_costs
from .factorial import main_effects
from .pretrain import ALL_MODELS, pretrain_all, pretrain_chapter
from .search import (
    exact_agreement,
    exact_reference,
    load_pretrained,
    planted_truth,
    saliency_scores,
    search_chapter,
    widths_by_budget,
)
from .variant_choice import validation_ranking

__all__ = [
    "ALL_MODELS", "Chapter", "ablation_chapter", "ablation_study", "budget_chapter", "compare_methods",
    "efficiency_chapter", "exact_agreement", "exact_reference", "latency_ratios", "search_costs",
    "load_pretrained", "planted_truth", "pretrain_all", "pretrain_chapter", "saliency_scores",
    "main_effects", "search_chapter", "validation_ranking", "widths_by_budget",
]
