"""The record-by-record summary actinit computed before its runs were read as columns
(:mod:`actinit.studies.answer.run_table`): kept here as the definition the fast one must
agree with, figure for figure."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from actinit.studies.answer.differences import lattice_unit
from actinit.studies.answer.intervals import share_interval
from actinit.studies.answer.rows import ConfigSummary, Spread
from actinit.studies.answer.summary import Failure, StudySummary
from actinit.studies.plan.metrics import LOWER_IS_BETTER
from actinit.studies.plan.metrics import METRICS as METRIC_COLUMNS
from actinit.studies.plan.study import RunConfig, Study
from actinit.studies.run.store import Store


def _per_seed(config: RunConfig, records: list[dict[str, Any]]) -> dict[str, dict[int, float]]:
    """Each metric per seed of the runs that did not fail (see ConfigSummary.by_seed)."""
    per_seed: dict[str, dict[int, float]] = {metric: {} for metric in METRIC_COLUMNS}
    classifies = config.loss_function.is_classification
    for record in records:
        if record["status"] == "failed":
            continue
        seed = record["seed"]
        for metric in METRIC_COLUMNS:
            value = record[metric]
            if metric == "epochs_to_target":
                if config.target_accuracy is None:
                    continue
                value = config.epochs + 1 if value is None else value
            elif value is None or not math.isfinite(value):
                if record["status"] != "diverged" or metric.endswith("accuracy") and not classifies:
                    continue
                value = math.inf if metric in LOWER_IS_BETTER else -math.inf
            per_seed[metric][seed] = float(value)
    return per_seed


def _learned(record: dict[str, Any], threshold: float) -> bool:
    """A run learned: it did not fail or diverge, and its test accuracy is above the
    threshold."""
    accuracy = record["test_accuracy"]
    return record["status"] == "ok" and accuracy is not None and accuracy > threshold


def _config_summary(
    config: RunConfig, records: list[dict[str, Any]], learned_threshold: float, units
) -> ConfigSummary:
    """One configuration's row from its stored runs (failed runs count only as failed;
    ``units``: each metric's lattice step over the whole study, the floor of a spread)."""
    ok = [r for r in records if r["status"] != "failed"]
    by_seed = _per_seed(config, records)
    reached = sum(r["epochs_to_target"] is not None for r in ok)
    spreads = {
        metric: Spread.of(
            list(by_seed[metric].values()),
            bounds=(0.0, 1.0) if "accuracy" in metric else None,
            unit=units[metric],
        )
        for metric in METRIC_COLUMNS
        if metric != "epochs_to_target"
    }
    epochs = list(by_seed["epochs_to_target"].values())
    spreads["epochs_to_target"] = (
        Spread.of(epochs, censored=len(epochs) - reached) if epochs else Spread.of([])
    )
    learned_share = learned_low = learned_high = learned_accuracy = None
    classifies = config.loss_function.is_classification
    worked = {
        r["seed"]: _learned(r, learned_threshold) if classifies else r["status"] == "ok" for r in ok
    }
    if ok and classifies:  # regression: nothing "learned"
        learned = sum(worked.values())
        learned_share = learned / len(ok)
        learned_low, learned_high = share_interval(learned, len(ok))
        learned_accuracy = Spread.of(
            [r["test_accuracy"] for r in ok if worked[r["seed"]]],
            bounds=(0.0, 1.0),
            unit=units["test_accuracy"],
        )
    return ConfigSummary(
        config=config,
        seeds=len(records),
        **spreads,
        learned_share=learned_share,
        reached_target=reached,
        diverged=sum(r["status"] == "diverged" for r in records),
        failed=sum(r["status"] == "failed" for r in records),
        seconds=float(sum(r["seconds"] or 0 for r in records)),
        by_seed=by_seed,
        learned_low=learned_low,
        learned_high=learned_high,
        stored_seeds=sorted(r["seed"] for r in ok),
        learned_accuracy=learned_accuracy,
        failed_seeds=sorted(seed for seed, learned in worked.items() if not learned),
    )


def reference_summary(study: Study, store: Store, seeds: int | None = None) -> StudySummary:
    """Per configuration across its stored seeds (the first ``seeds`` seeds when given)."""
    configs, replays = study.configs, study.replays  # each a whole grid: build once
    records_by_key: dict[str, list[dict[str, Any]]] = {}
    stored = store.runs([config.key for config in configs + replays], decode_config=False)
    for record in stored:
        if seeds is None or record["seed"] < seeds:
            records_by_key.setdefault(record["config_key"], []).append(record)
    rows = []
    missing = 0
    failures = []
    expected = study.seeds if seeds is None else seeds
    kept = [
        r
        for config in configs
        for r in records_by_key.get(config.key, [])
        if r["status"] != "failed"
    ]
    units = {
        metric: lattice_unit(
            np.array([r[metric] for r in kept if r[metric] is not None], dtype=float), metric
        )
        for metric in METRIC_COLUMNS
    }
    for config in configs:
        records = records_by_key.get(config.key, [])
        missing += max(0, expected - len(records))
        failures += [
            Failure(config, r["seed"], (r.get("error") or "unknown error").splitlines()[0])
            for r in records
            if r["status"] == "failed"
        ]
        if not records:
            continue
        rows.append(_config_summary(config, records, study.learned_threshold, units))
    for replay in replays:  # a failed replay says why too (it was counted, not shown)
        failures += [
            Failure(replay, r["seed"], (r.get("error") or "unknown error").splitlines()[0])
            for r in records_by_key.get(replay.key, [])
            if r["status"] == "failed"
        ]
    _decompose(rows, records_by_key, study.learned_threshold, units["test_accuracy"])
    summary = StudySummary(study, rows, missing_runs=missing, failures=failures)
    summary.runs = [r for records in records_by_key.values() for r in records]
    return summary


def _decompose(rows, records_by_key, threshold: float, unit: float) -> None:
    """Where some configuration learned on some seeds and not others, each test
    accuracy interval holds every mean (1 - f) L + f F that f's exact interval and the
    t intervals of L (accuracy when learned) and F (when failed) allow (a part with
    fewer than two runs: the study's range of such runs; L from the lowest learned
    accuracy to 1), and at least the t interval. Row by row, as the definition."""
    from actinit.studies.answer.intervals import clopper_pearson, mean_interval

    def kept(row):
        return [r for r in records_by_key[row.config.key] if r["status"] != "failed"]

    classifying = [row for row in rows if row.config.loss_function.is_classification]
    varying = [
        row for row in classifying if 0 < row.learned_share < 1 and row.learned_share is not None
    ]
    if not varying:
        return
    failed_all, learned_all = [], []
    for row in classifying:
        for r in kept(row):
            value = r["test_accuracy"]
            if value is None or not math.isfinite(value):
                continue
            (learned_all if _learned(r, threshold) else failed_all).append(value)
    for row in classifying:
        records = kept(row)
        if len(records) < 2:
            continue
        learned = [r["test_accuracy"] for r in records if _learned(r, threshold)]
        failed = [
            r["test_accuracy"]
            for r in records
            if not _learned(r, threshold)
            and r["test_accuracy"] is not None
            and math.isfinite(r["test_accuracy"])
        ]
        f_low, f_high = clopper_pearson(len(records) - len(learned), len(records))
        l_part = mean_interval(learned, unit=unit)
        f_part = mean_interval(failed, unit=unit)
        l_low, l_high = (l_part.low, l_part.high) if len(learned) > 1 else (min(learned_all), 1.0)
        m_low, m_high = (
            (f_part.low, f_part.high) if len(failed) > 1 else (min(failed_all), max(failed_all))
        )
        low = min((1 - f) * l_low + f * m_low for f in (f_low, f_high))
        high = max((1 - f) * l_high + f * m_high for f in (f_low, f_high))
        spread = row.test_accuracy
        if spread.low is not None:
            spread.low = max(0.0, min(spread.low, low))
            spread.high = min(1.0, max(spread.high, high))
