"""`rasd eval` through the whole pipeline: pages served on 127.0.0.1, scratch warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from rasd.evaluate import evaluate

GOLD = Path(__file__).resolve().parent / "gold"


def test_seeds_score_perfectly_through_the_pipeline(tmp_path: Path, shared_dir: Path) -> None:
    result = evaluate(shared_dir / "gold" / "seeds.jsonl", tmp_path)
    score = result.score
    assert (score.precision, score.recall) == (1.0, 1.0)
    assert score.fatalities_rate == 1.0 and score.dates_rate == 1.0
    assert result.run.quarantined == 0


@pytest.mark.parametrize(
    ("gold", "floor"),
    [("synthetic.jsonl", 0.95), ("synthetic2.jsonl", 0.9), ("synthetic3.jsonl", 0.85)],
)
def test_gold_sets_keep_their_floor(tmp_path: Path, gold: str, floor: float) -> None:
    score = evaluate(GOLD / gold, tmp_path).score
    assert score.f1 >= floor, score.summary()
    assert score.precision >= floor, score.summary()
    assert score.negative_events == 0, score.summary()
