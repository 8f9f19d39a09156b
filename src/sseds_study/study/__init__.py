"""The study runner: one run = (dataset, model, method, budget, seed, options) -> one result row.

A sweep expands a study profile (``configs/*.yaml``) into runs (``expand``), groups them by the
pretrained model they share, and executes the groups (``execute``) on this process, local worker
processes or Ray (``executors``). Inside a group the pretrained model is trained once and
checkpointed (``pretrain``), its saliency is computed once per set of search options, PEP's search
run once per set of PEP settings (``pep``, checkpointed too), and every method (``methods``, the
registry) and budget reuses them. Every finished run is journalled at once
(``journal``), and one sweep at a time holds a results folder (``lock``); ``stats`` summarises the results over seeds.

Names are imported on first use (``sseds_study._lazy``), so reading the method registry or a profile
does not start torch.
"""

from .._lazy import lazy_face

_EXPORTS = {
    "execute_run": "execute", "run_group": "execute", "worker_threads": "execute", "expand_runs": "expand",
    "group_runs": "expand", "seed_data": "expand", "study_searches": "expand", "RESULTS_FILE": "journal",
    "load_results": "journal", "read_journal": "journal", "saved_study": "journal", "write_journal": "journal",
    "write_table": "journal", "SweepLocked": "lock", "sweep_lock": "lock", "METHODS": "methods",
    "Method": "methods", "get_method": "methods", "method_names": "methods", "reduced_methods": "methods",
    "register": "methods", "PEPSearch": "pep", "load_or_search": "pep", "load_search": "pep",
    "run_pep_search": "pep", "search_path": "pep", "GroupCache": "pretrain", "Pretrained": "pretrain",
    "load_or_pretrain": "pretrain", "saliency_for_spec": "pretrain", "EXECUTORS": "profile",
    "StudyConfig": "profile", "companion": "profile", "load_profile": "profile", "load_study": "profile",
    "study_from_dict": "profile", "git_commit": "provenance", "package_versions": "provenance", "RunSpec": "runs",
    "variant_label": "runs", "GROUP_COLUMNS": "stats", "aggregate": "stats", "summarise_over_seeds": "stats",
    "t_interval": "stats", "with_variant": "stats", "SweepReport": "sweep", "default_results_dir": "sweep",
    "sweep": "sweep", "tune_study": "sweep", "load_tuning": "tune", "resolve_tuned": "tune", "tuning_runs": "tune",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_face(globals(), _EXPORTS)
