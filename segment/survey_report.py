"""Paper A's survey validation in one call: answers + model -> tables, diagram, report.html.

`survey_report` runs, on a questionnaire's answers and a measurement and
structural model: Cronbach's alpha, an exploratory factor analysis (when
segment.efa is available), reliability and validity in Table 6's shape, the
Fornell-Larcker and HTMT tables, the PLS path model with its bootstrap, and a
CFA's fit in Table 7's shape; it returns the tables and, with ``out=``, writes
``report.html`` (tables and the path diagram) and one CSV per table. The
command ``segment survey ANSWERS --model MODEL.json`` calls it.

The model (a dict, a JSON file's content, or a `datasets.SurveyModel`)::

    {"measurement": {"Construct": ["item1", "item2", ...], ...},
     "structural": [["From", "To"], ...]}

A construct may also map to ``{"items": [...], "mode": "A" | "B"}`` (PLS's
Mode B; the EFA and the CFA treat every block as reflective).
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["SurveyReport", "survey_report"]


@dataclass(frozen=True, eq=False)
class SurveyReport:
    """What `survey_report` computed.

    Attributes
    ----------
    tables : dict of str -> DataFrame
        Every table of the report, by the name of its CSV (without ``.csv``):
        ``alpha``, ``alpha_items``, ``efa_loadings`` and ``efa_tests`` (with
        EFA), ``table6`` (reliability and validity), ``fornell_larcker``,
        ``htmt``, ``paths`` (bootstrap), ``r_squared``, ``table7`` (fit) and
        ``fit_indices`` (with CFA), ``missing``.
    alpha : AlphaResult
    pls : PlsResult
    bootstrap : PlsBootstrap
    efa : EfaResult or None
        None when segment has no ``efa`` (noted in ``notes``).
    cfa : CfaResult or None
        None when segment has no ``cfa``.
    notes : list of str
        Warnings raised on the way and the steps left out, in order.
    path : Path or None
        The report.html written, if ``out`` was given.
    """

    tables: dict
    alpha: object
    pls: object
    bootstrap: object
    efa: object = None
    cfa: object = None
    notes: list = field(default_factory=list)
    path: Path | None = None


def _parse_model(model) -> tuple[dict, list]:
    if hasattr(model, "to_dict"):
        model = model.to_dict()
    if not isinstance(model, Mapping) or "measurement" not in model:
        raise TypeError(
            'model must be a dict {"measurement": {construct: [items]}, "structural": '
            f"[[from, to], ...]}}, got {type(model).__name__}"
        )
    unknown = set(model) - {"measurement", "structural"}
    if unknown:
        raise ValueError(
            f"model has unknown keys {sorted(map(str, unknown))}; "
            "it takes 'measurement' and 'structural'"
        )
    structural = model.get("structural", [])
    if not isinstance(structural, (list, tuple)) or not all(
        isinstance(p, (list, tuple)) and len(p) == 2 for p in structural
    ):
        raise ValueError('model["structural"] must be a list of [from, to] pairs')
    return model["measurement"], [tuple(p) for p in structural]


def _items_of(measurement) -> dict:
    return {
        c: list(
            spec["items"]
            if isinstance(spec, Mapping)
            else [spec]
            if isinstance(spec, str)
            else spec
        )
        for c, spec in measurement.items()
    }


def _table6(pls, blocks) -> pd.DataFrame:
    """Paper A's Table 6: per construct its items' loadings, then AVE and reliability."""
    rel = pls.reliability
    rows = []
    for c, items in blocks.items():
        for item in items:
            rows.append(
                {
                    "construct": c,
                    "item": item,
                    "loading": pls.outer_loadings.loc[item, c],
                    "ave": rel.loc[c, "ave"],
                    "rho_c": rel.loc[c, "rho_c"],
                    "alpha": rel.loc[c, "alpha"],
                    "rho_a": rel.loc[c, "rho_a"],
                }
            )
    return pd.DataFrame(rows).set_index(["construct", "item"])


def survey_report(
    answers,
    model,
    *,
    out=None,
    n_boot=5000,
    random_state=None,
    scale=None,
    n_threads=None,
    title="segment: survey validation report",
):
    """Validate a questionnaire as Paper A does, and write the report.

    Parameters
    ----------
    answers : DataFrame, str or path
        One row per respondent, one column per item; numbers or verbal labels.
        A file or a frame with verbal labels is read with `load_likert`
        (``scale=`` as there).
    model : dict or SurveyModel
        ``{"measurement": {construct: [items]}, "structural": [[from, to]]}``
        (the module's docstring). Every item must be a column of answers.
    out : str or path, optional
        Folder to write ``report.html`` and the CSV tables in (created).
    n_boot : int, default 5000
        Bootstrap resamples of the PLS model.
    random_state : int, optional
        Seed of the bootstrap.
    scale : optional
        `load_likert`'s scale for verbal answers.
    n_threads : int, optional
        Threads of the bootstrap.
    title : str
        Heading of report.html.

    Returns
    -------
    SurveyReport

    Raises
    ------
    TypeError, ValueError
        A model that is not of the documented shape, an item of the model that
        answers lacks (named, with its construct), and whatever `pls_sem` or
        `cfa` refuse (non-numeric or constant items, cycles, ...).

    Examples
    --------
    >>> from segment.datasets import make_survey
    >>> from segment.survey_report import survey_report
    >>> answers, model = make_survey(200, random_state=0, return_model=True)
    >>> rep = survey_report(answers, model, n_boot=100, random_state=0)
    >>> rep.tables["table7"]["criterion"].iloc[0]
    'chi2/df'
    """
    import segment as sg
    from segment.pls import _parse_measurement, _parse_structural

    measurement, structural = _parse_model(model)
    # the model is checked (constructs, items, paths, cycles) before the answers are read
    constructs, _, _ = _parse_measurement(measurement)
    _parse_structural(structural, constructs)
    blocks = _items_of(measurement)
    items = list(dict.fromkeys(i for b in blocks.values() for i in b))
    if isinstance(answers, pd.DataFrame):
        missing_items = [(i, c) for c, b in blocks.items() for i in b if i not in answers]
        if missing_items:
            shown = ", ".join(f"{i!r} (construct {c!r})" for i, c in missing_items[:5])
            raise ValueError(
                f"answers has no column for the model's "
                f"item{'s' if len(missing_items) > 1 else ''} {shown}"
                f"{', ...' if len(missing_items) > 5 else ''}; the model's item names must be "
                "the answers' column names"
            )
    if not isinstance(answers, pd.DataFrame) or any(
        not pd.api.types.is_numeric_dtype(answers[i]) for i in items
    ):
        # only the model's items: identifier or free-text columns are left alone
        answers = sg.load_likert(answers, items=items, scale=scale)
    notes: list[str] = []
    tables: dict[str, pd.DataFrame] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pls = sg.pls_sem(answers, measurement, structural)
        data = answers[items]
        tables["missing"] = data.isna().sum().rename("missing").to_frame()
        alpha = sg.cronbach_alpha(data)
        tables["alpha"] = alpha.to_frame()
        tables["alpha_items"] = alpha.item_stats
        efa_res = None
        if hasattr(sg, "efa"):
            efa_res = sg.efa(data.dropna(), len(blocks), rotation="varimax")
            tables["efa_loadings"] = efa_res.to_frame()
            tables["efa_tests"] = pd.DataFrame(
                {
                    "kmo": [efa_res.kmo],
                    "bartlett_chi2": [efa_res.bartlett.chi2],
                    "bartlett_df": [efa_res.bartlett.df],
                    "bartlett_p": [efa_res.bartlett.p_value],
                    "factors_parallel_analysis": [efa_res.n_factors_parallel],
                    "factors_kaiser": [efa_res.n_factors_kaiser],
                    "variance_explained": [efa_res.variance.loc["cumulative"].iloc[-1]],
                },
                index=["sample"],
            )
        else:
            notes.append("exploratory factor analysis left out: this segment has no efa")
        tables["table6"] = _table6(pls, blocks)
        tables["fornell_larcker"] = pls.fornell_larcker
        tables["htmt"] = pls.htmt
        boot = pls.bootstrap(n_boot, random_state=random_state, n_threads=n_threads)
        tables["paths"] = boot.paths
        tables["r_squared"] = pls.r_squared.assign(redundancy=pls.redundancy)
        cfa_res = None
        if hasattr(sg, "cfa"):
            cfa_res = sg.cfa(data, blocks, structural=structural or None)
            tables["table7"] = cfa_res.fit_table()
            tables["fit_indices"] = cfa_res.fit_indices.rename("value").to_frame()
        else:
            notes.append("CFA fit left out: this segment has no cfa")
    notes = [f"{w.category.__name__}: {w.message}" for w in caught] + notes
    report = SurveyReport(tables, alpha, pls, boot, efa_res, cfa_res, notes)
    if out is None:
        return report
    path = _write(report, Path(out), title)
    return SurveyReport(tables, alpha, pls, boot, efa_res, cfa_res, notes, path)


_SECTIONS = [
    ("alpha", "Reliability: Cronbach's alpha of all items"),
    ("alpha_items", "Items: answers, mean, sd, item-rest correlation, alpha if deleted"),
    ("missing", "Missing answers per item"),
    ("efa_tests", "Exploratory factor analysis: KMO, Bartlett's test, number of factors"),
    ("efa_loadings", "Exploratory factor analysis: loadings (varimax)"),
    ("table6", "Reliability and validity (Paper A, Table 6): loadings, AVE, rho_c, alpha"),
    ("fornell_larcker", "Discriminant validity: Fornell-Larcker (sqrt AVE on the diagonal)"),
    ("htmt", "Discriminant validity: HTMT"),
    ("paths", "PLS paths with bootstrap t, p and confidence interval"),
    ("r_squared", "R², adjusted R² and redundancy"),
    ("table7", "Goodness of fit (Paper A, Table 7), CFA by maximum likelihood"),
    ("fit_indices", "All fit indices of the CFA"),
]


def _write(report: SurveyReport, out: Path, title: str) -> Path:
    from segment.cli import _frame_html, _html_report

    out.mkdir(parents=True, exist_ok=True)
    sections = []
    for name, heading in _SECTIONS:
        if name in report.tables:
            report.tables[name].to_csv(out / f"{name}.csv")
            sections.append((heading, _frame_html(report.tables[name])))
        if name == "r_squared":
            sections.append(_diagram(report))
    if report.notes:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in report.notes)
        sections.append(("Notes", f"<ul class='note'>{items}</ul>"))
    path = out / "report.html"
    path.write_text(_html_report(title, sections), encoding="utf-8")
    return path


def _diagram(report: SurveyReport) -> tuple[str, str]:
    heading = "Path model (Paper A, Figure 1): p < .05 *, < .01 **, < .001 ***"
    try:
        import matplotlib

        matplotlib.use("Agg")
    except ImportError:
        return heading, (
            "<p class='note'>No diagram: matplotlib is not installed "
            '(pip install "segment-kit[plot]")</p>'
        )
    from segment.cli import _png
    from segment.plotting import plot_path_model

    png = _png(plot_path_model(report.pls, bootstrap=report.bootstrap))
    return heading, f"<img alt='path diagram' src='data:image/png;base64,{png}'>"
