"""Small logistic models with named features: inspectable, fitted on the tuning half.

Two decisions in the answer step are such models (rag/data/answer-models.json):
- `sentence`: how likely a sentence (with the sentence it leans on, or the list it announces)
  holds the answer to the question;
- `answerable`: how likely the material answers the question at all.
A third, `topic`, reads the question's own e5 vector: a logistic model over its dimensions that
tells the material's subjects (trust, cooperation, social capital, the core task) from the
HR and legal questions a manager asks beside them (pay, leave, dismissal, working time). Its
logit is one feature of `answerable`; it belongs to the embedder it was fitted with and is
neutral (the fitted mean) with any other.

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

import numpy as np

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
        # `contributions` summed in the same order, without building its dict (the sentence
        # model scores ~100 units per answer).
        terms = zip(self.features, self.mean, self.scale, self.weights, strict=True)
        return self.bias + sum(w * (float(values[name]) - m) / s for name, m, s, w in terms)

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
class VectorModel:
    """A logistic model over the dimensions of a question vector (fitted on standardised
    dimensions; kept here as one weight vector in the vector's own units)."""

    embedder: str
    weights: tuple[float, ...]
    bias: float
    neutral: float  # the logit to use for another embedder's vectors

    def logit(self, vector: np.ndarray | None, embedder: str) -> float:
        if vector is None or embedder != self.embedder or len(vector) != len(self.weights):
            return self.neutral
        return float(self.bias + np.dot(np.asarray(self.weights), vector))

    @classmethod
    def from_linear(cls, model: LinearModel, embedder: str, neutral: float) -> VectorModel:
        scale = np.asarray(model.scale)
        weights = np.asarray(model.weights) / scale
        bias = model.bias - float(np.dot(weights, np.asarray(model.mean)))
        return cls(embedder, tuple(float(w) for w in weights), float(bias), float(neutral))

    def to_dict(self) -> dict:
        return asdict(self) | {"weights": [round(w, 6) for w in self.weights]}

    @classmethod
    def from_dict(cls, d: dict) -> VectorModel:
        return cls(
            str(d["embedder"]),
            tuple(float(w) for w in d["weights"]),
            float(d["bias"]),
            float(d["neutral"]),
        )


@dataclass(frozen=True)
class AnswerModels:
    sentence: LinearModel
    answerable: LinearModel
    refuse_below: float  # the bar fitted with `answerable` (Settings.refuse_below overrides)
    fitted: dict  # what the models were fitted on, for the README and reports
    topic: VectorModel | None = None

    def to_dict(self) -> dict:
        return {
            "sentence": self.sentence.to_dict(),
            "answerable": self.answerable.to_dict(),
            "refuse_below": self.refuse_below,
            "fitted": self.fitted,
            **({"topic": self.topic.to_dict()} if self.topic else {}),
        }

    @classmethod
    def from_dict(cls, d: dict) -> AnswerModels:
        return cls(
            sentence=LinearModel.from_dict(d["sentence"]),
            answerable=LinearModel.from_dict(d["answerable"]),
            refuse_below=float(d["refuse_below"]),
            fitted=dict(d.get("fitted", {})),
            topic=VectorModel.from_dict(d["topic"]) if d.get("topic") else None,
        )

    def save(self, path: Path = MODELS_FILE) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", "utf-8")


@cache
def load_models(path: Path = MODELS_FILE) -> AnswerModels:
    return AnswerModels.from_dict(json.loads(path.read_text(encoding="utf-8")))
