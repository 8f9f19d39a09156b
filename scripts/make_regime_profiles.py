"""Write the regime map's profiles (configs/regime_d16.yaml, configs/regime_d64.yaml and
their _best companions) from the design in
sseds_study.study.regime_design. Usage: python scripts/make_regime_profiles.py"""

from pathlib import Path

from sseds_study.fileio import atomic_write_text
from sseds_study.study.regime_design import WIDTHS, design, profile_text, variant_profile_text

CONFIGS = Path(__file__).resolve().parent.parent / "configs"

if __name__ == "__main__":
    settings = design()
    for width in WIDTHS:
        path = CONFIGS / f"regime_d{width}.yaml"
        atomic_write_text(path, profile_text(width, settings))
        print(f"wrote {path}")
        path = CONFIGS / f"regime_d{width}_best.yaml"
        atomic_write_text(path, variant_profile_text(width))
        print(f"wrote {path}")
