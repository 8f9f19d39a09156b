"""What a method adds to its runs' keys: its revision and its own settings.

A revision marks an allocation that changed for the same settings (``uniform`` 1: water-filling to
the budget; revision 0 stopped at widths d or d + 1), so rows of the old allocation are not reused;
settings are a method's own options (a search's candidate widths, a temperature grid). Neither is
part of a key when unset, so the keys of every other method are what they were.

The entries live here, below ``study.runs`` and ``study.methods``, so that a run's key never depends
on whether the registry was imported before it was computed: the built-in methods' entries are
literal data, and ``study.methods`` registers its methods with them; a method registered later adds
its own (``record``).
"""

from __future__ import annotations

# The temperatures ``frequency_tuned`` chooses among on validation AUC: DLRM's 0.3, half and double it.
# Three, not more: every candidate is a retrained model, and the comparison runs it at ten seeds and
# four budgets inside `make reproduce`'s time.
FREQUENCY_TEMPERATURES = (0.15, 0.3, 0.6)
AUTODIM_SETTINGS = (("candidates", (2, 4, 8, 16)), ("epochs", 1))
DIMGROW_SETTINGS = (("epochs", 1),)

REVISIONS: dict[str, int] = {"uniform": 1}
SETTINGS: dict[str, tuple[tuple[str, object], ...]] = {
    "frequency_tuned": (("temperatures", FREQUENCY_TEMPERATURES),),
    "autodim": AUTODIM_SETTINGS,
    "dimgrow": DIMGROW_SETTINGS,
}


def method_identity(name: str) -> dict:
    """What method ``name`` adds to its runs' keys ({} for most)."""
    extra: dict = {}
    if REVISIONS.get(name):
        extra["method_revision"] = REVISIONS[name]
    if SETTINGS.get(name):
        extra["method_settings"] = dict(SETTINGS[name])
    return extra


def record(name: str, revision: int, settings: tuple) -> None:
    """A method registered with this revision and these settings: they must agree with a built-in
    entry of that name (one source of truth), or become its entry."""
    known = (REVISIONS.get(name, 0), SETTINGS.get(name, ()))
    if (name in REVISIONS or name in SETTINGS) and known != (revision, tuple(settings)):
        raise ValueError(f"method {name!r}: revision/settings {revision!r}/{settings!r} differ from the keys' "
                         f"{known[0]!r}/{known[1]!r} (study.method_keys)")
    if revision:
        REVISIONS[name] = revision
    if settings:
        SETTINGS[name] = tuple(settings)


def forget(name: str) -> None:
    """Remove a method's entry (a test's throwaway method, unregistered)."""
    REVISIONS.pop(name, None)
    SETTINGS.pop(name, None)
