"""Small logistic models with named features: inspectable, fitted on the tuning half.

Two decisions in the answer step are such models (rag/data/answer-models.json):
- `sentence`: how likely a sentence (with the sentence it leans on, or the list it announces)
  holds the answer to the question;
- `answerable`: how likely the material answers the question at all.

Each is a weight per named feature on standardised values, plus a bias; `explain` shows how
much each feature pushed a decision. `python -m rag eval --answers --fit` refits both on the
"tune" half of eval/questions.jsonl (rag/measure/fit.py) and rewrites the file.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from rag.config import PACKAGE_DATA

MODELS_FILE = PACKAGE_DATA / "answer-models.json"


@dataclass(frozen=True)
class LinearModel:
    """p = sigmoid(bias + Σ weight_f · (x_f − mean_f) / scale_f) over named features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def logit(self, values: dict[str, float]) -> float:
        return self.bias + sum(self.contributions(values).values())

    def probability(self, values: dict[str, float]) -> float:
        z = self.logit(values)
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    def contributions(self, values: dict[str, float]) -> dict[str, float]:
        """How far each feature moved the logit from the average case."""
        return {
            name: w * (float(values[name]) - m) / s
            for name, m, s, w in zip(
                self.features, self.mean, self.scale, self.weights, strict=True
            )
        }

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> LinearModel:
        return cls(
            features=tuple(d["features"]),
            mean=tuple(float(x) for x in d["mean"]),
            scale=tuple(float(x) for x in d["scale"]),
            weights=tuple(float(x) for x in d["weights"]),
            bias=float(d["bias"]),
        )


@dataclass(frozen=True)
class AnswerModels:
    sentence: LinearModel
    answerable: LinearModel
    refuse_below: float  # the bar fitted with `answerable` (Settings.refuse_below overrides)
    fitted: dict  # what the models were fitted on, for the README and reports

    def to_dict(self) -> dict:
        return {
            "sentence": self.sentence.to_dict(),
            "answerable": self.answerable.to_dict(),
            "refuse_below": self.refuse_below,
            "fitted": self.fitted,
        }

    @classmethod
    def from_dict(cls, d: dict) -> AnswerModels:
        return cls(
            sentence=LinearModel.from_dict(d["sentence"]),
            answerable=LinearModel.from_dict(d["answerable"]),
            refuse_below=float(d["refuse_below"]),
            fitted=dict(d.get("fitted", {})),
        )

    def save(self, path: Path = MODELS_FILE) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", "utf-8")


@cache
def load_models(path: Path = MODELS_FILE) -> AnswerModels:
    return AnswerModels.from_dict(json.loads(path.read_text(encoding="utf-8")))
