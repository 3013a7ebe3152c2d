"""A learned linear map on question vectors, for the dense channel.

Managers ask in their own words; the material speaks in its own. e5-small places "Jeg har et
hold hjemmehjælpere og tænker på at samle dem ti minutter hver morgen" far from "et kvarters
dagligt morgenmøde", and no bigger bundled model is to be had. What can be learned is the
direction in which questions as people ask them differ from the passages that answer them:
a 384×384 matrix `M`, close to the identity, that moves a question's vector (`M·q`,
renormalised) towards its passages' windows. The passages stay as ingest embedded them, so
material an organisation adds is searched through the same map without refitting.

`M` is fitted on the tuning half of eval/questions.jsonl only (rag/measure/adapt.py,
`tillidsguiden eval --answers --fit`); its ridge and number of steps were chosen by 4-fold
cross-validation by question group inside that half. It belongs to the embedder it was fitted
with: with any other (or `Settings.query_adapter` off) question vectors are used unchanged.
"""

from __future__ import annotations

import sys
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from rag.config import PACKAGE_DATA

ADAPTER_FILE = PACKAGE_DATA / "query-adapter.npz"


@dataclass(frozen=True, eq=False)
class QueryAdapter:
    embedder: str  # the embedder's name the matrix was fitted for
    matrix: np.ndarray  # (d, d), float32

    def apply(self, vector: np.ndarray) -> np.ndarray:
        """`M·vector`, as a unit vector (the dense channel compares unit vectors)."""
        moved = self.matrix @ np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(moved))
        return moved / norm if norm else np.asarray(vector, dtype=np.float32)

    def save(self, path: Path = ADAPTER_FILE) -> None:
        with path.open("wb") as f:  # np.savez would add ".npz" to a name without it
            np.savez_compressed(f, embedder=np.array(self.embedder), matrix=self.matrix)
        load_adapter.cache_clear()


@cache
def load_adapter(embedder: str, path: Path = ADAPTER_FILE) -> QueryAdapter | None:
    """The adapter fitted for `embedder`, or None: no file, one for another embedder, or one
    that cannot be read (said once on stderr: search goes on with the vectors unchanged)."""
    if not path.is_file():
        return None
    try:
        with np.load(path) as stored:
            fitted_for, matrix = str(stored["embedder"]), stored["matrix"].astype(np.float32)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        print(
            f"Spørgsmålsafbildningen {path.name} kan ikke læses ({type(exc).__name__}); "
            "søger uden den. Kør tillidsguiden eval --answers --fit for at lave den igen.",
            file=sys.stderr,
        )
        return None
    if fitted_for != embedder or matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        return None
    return QueryAdapter(fitted_for, matrix)
