"""The study runner: one run = (dataset, model, method, budget, seed, options) -> one result row.

A sweep expands a study profile (``configs/*.yaml``) into runs (``expand``), groups them by the
pretrained model they share, and executes the groups (``execute``) on this process, local worker
processes or Ray (``executors``). Inside a group the pretrained model is trained once and
checkpointed (``pretrain``), its saliency is computed once per set of search options, PEP's search
run once per set of PEP settings (``pep``, checkpointed too), and every method (``methods``, the
registry) and budget reuses them. Every finished run is journalled at once
(``journal``), and one sweep at a time holds a results folder (``lock``); ``stats`` summarises the results over seeds.
"""

from .execute import execute_run, run_group, worker_threads
from .expand import expand_runs, group_runs, seed_data, study_searches
from .journal import RESULTS_FILE, load_results, read_journal, saved_study, write_journal, write_table
from .lock import SweepLocked, sweep_lock
from .methods import METHODS, Method, get_method, method_names, reduced_methods, register
from .pep import PEPSearch, load_or_search, load_search, run_pep_search, search_path
from .pretrain import GroupCache, Pretrained, load_or_pretrain, saliency_for_spec
from .profile import EXECUTORS, StudyConfig, companion, load_profile, load_study, study_from_dict
from .provenance import git_commit, package_versions
from .runs import RunSpec, variant_label
from .stats import GROUP_COLUMNS, aggregate, summarise_over_seeds, t_interval, with_variant
from .sweep import SweepReport, default_results_dir, sweep, tune_study
from .tune import load_tuning, resolve_tuned, tuning_runs

__all__ = [
    "EXECUTORS", "GROUP_COLUMNS", "METHODS", "RESULTS_FILE", "GroupCache", "Method", "PEPSearch", "Pretrained",
    "RunSpec", "StudyConfig", "SweepLocked", "SweepReport", "aggregate", "default_results_dir", "execute_run",
    "expand_runs", "get_method", "git_commit", "group_runs", "load_or_pretrain", "load_or_search", "load_search",
    "companion", "load_profile", "load_results", "load_study", "method_names", "package_versions", "read_journal",
    "reduced_methods", "register", "run_group", "run_pep_search", "saliency_for_spec", "saved_study", "search_path",
    "seed_data", "study_from_dict", "study_searches", "load_tuning", "resolve_tuned", "tuning_runs", "tune_study", "summarise_over_seeds", "sweep", "sweep_lock", "t_interval",
    "variant_label", "with_variant", "worker_threads", "write_journal", "write_table",
]
