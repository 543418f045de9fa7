"""The bench runs from the repository's root (`python -m bench`) and is not an installed
package: its tests import it from there."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
