"""Makes the helper modules beside this file (``studyhelpers``: a tiny study profile) importable from
every test folder; pytest itself only puts each test file's own folder on the path."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
