"""Evaluating the recommender on the gold labels: precision@1, precision@3, MRR, nDCG@5, coverage."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings

from recommender import services

GOLD_PATH = Path(settings.BASE_DIR) / "fixtures" / "gold" / "recommendations.yaml"


@dataclass
class GoldCase:
    """One dataset file and the procedures relevant to it."""

    name: str
    path: Path
    relevant: list[str]


def gold_cases(example_dir: Path, shared_samples: Path | None = None) -> list[GoldCase]:
    """The gold cases whose files exist (examples written into ``example_dir``)."""
    from datasets.examples import write_examples

    gold = yaml.safe_load(GOLD_PATH.read_text())
    paths = {p.stem: p for p in write_examples(example_dir, list(gold["examples"]))}
    cases = [
        GoldCase(f"example:{slug}", paths[slug], rel) for slug, rel in gold["examples"].items()
    ]
    if shared_samples is not None:
        for relative, relevant in gold.get("samples", {}).items():
            if (shared_samples / relative).is_file():
                cases.append(GoldCase(relative, shared_samples / relative, relevant))
    return cases


def ndcg(ranked: list[str], relevant: list[str], k: int = 5) -> float:
    """Normalised discounted cumulative gain at ``k`` with binary relevance."""
    gain = sum(1 / math.log2(i + 2) for i, slug in enumerate(ranked[:k]) if slug in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return gain / ideal if ideal else 0.0


def evaluate(cases: list[GoldCase], backend: str | None = None) -> dict:
    """Metrics of ``backend`` over ``cases``, and the top 3 per case.

    Always measures the named backend: when it cannot serve, ServiceUnavailableError is raised
    rather than answering with the embedded fallback.
    """
    rows, tops = [], {}
    for case in cases:
        answer = services.recommend_for_file(case.path, k=5, backend=backend, fallback=False)
        ranked = [item["procedure"] for item in answer["results"]]
        tops[case.name] = ranked[:3]
        first_hit = next((i for i, slug in enumerate(ranked) if slug in case.relevant), None)
        rows.append(
            {
                "p1": float(bool(ranked) and ranked[0] in case.relevant),
                "p3": sum(slug in case.relevant for slug in ranked[:3]) / 3,
                "mrr": 1 / (first_hit + 1) if first_hit is not None else 0.0,
                "ndcg5": ndcg(ranked, case.relevant),
                "covered": float(bool(ranked)),
            }
        )
    count = len(rows) or 1
    metrics = {
        name: sum(row[key] for row in rows) / count
        for name, key in [
            ("precision@1", "p1"),
            ("precision@3", "p3"),
            ("MRR", "mrr"),
            ("nDCG@5", "ndcg5"),
            ("coverage", "covered"),
        ]  # fmt: skip
    }
    return {"cases": len(rows), "metrics": metrics, "top3": tops}
