"""The ``segment`` command (also ``python -m segment``).

    segment run  [CONTRACTS] [--k 2-10] [--as-of DATE] [--dayfirst | --monthfirst]
                 [--features multi|rfm] [--columns MAP.json] [--region-map MAP.json]
                 [--sep ;] [--decimal ,] [--thousands .] [--encoding latin-1]
                 [--date-format %d/%m/%Y] [--sheet NAME] [--out DIR] [--seed N]
                 [--query SELECT... --con URL]
    segment rank [MATRIX.csv] [--weights entropy|critic|std|equal|W1,W2,...]
                 [--types benefit,cost,...] [--v 0.5] [--sensitivity]
                 [--sep ;] [--decimal ,] [--thousands .] [--encoding latin-1]
    segment survey ANSWERS --model MODEL.json [--out DIR] [--n-boot 5000] [--seed N]
                 [--scale paper_a]

``run`` is Paper B's pipeline: load and clean contracts, compute customer
features, choose K by the exact silhouette, profile the clusters and find the
most valuable one, then write a report. ``rank`` is Paper A's: weigh criteria
and rank alternatives with VIKOR. Without a file each runs on the data segment
ships. ``survey`` is Paper A's survey validation (segment.survey_report): alpha,
EFA, reliability and validity, PLS with bootstrap, CFA fit, to DIR/report.html.
User errors print one line and exit with status 2 (set SEGMENT_DEBUG=1 for the
traceback).
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd

import segment as sg
from segment._parsing import date_value

EXIT_USAGE = 2


class UserError(Exception):
    """A problem with the command's input: reported in one line, exit 2."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Progress:
    """A minimal progress reporter for k_sweep, on stderr."""

    def __init__(self, total: int, what: str):
        self.total, self.done, self.what, self.start = total, 0, what, time.perf_counter()

    def update(self, n: int = 1) -> None:
        self.done += n
        _say(f"  {self.what}: {self.done}/{self.total} "
             f"({time.perf_counter() - self.start:.1f} s)")

    def close(self) -> None:
        pass


def _parse_k(text: str) -> list[int]:
    """'2-10', '3,4,5' or '4' -> a list of K."""
    try:
        if "-" in text:
            lo, hi = (int(p) for p in text.split("-", 1))
            ks = list(range(lo, hi + 1))
        else:
            ks = [int(p) for p in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--k takes a range like 2-10 or a list like 3,4,5; got {text!r}") from None
    if not ks or min(ks) < 2:
        raise argparse.ArgumentTypeError(f"--k needs values >= 2; got {text!r}")
    repeated = sorted({k for k in ks if ks.count(k) > 1})
    if repeated:
        raise argparse.ArgumentTypeError(f"repeats {repeated}; list each K once")
    return ks


def _int_at_least(low: int, high: int | None = None):
    """An argparse type: an integer in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bound = f">= {low}" if high is None else f"between {low} and {high}"
            raise argparse.ArgumentTypeError(f"must be {bound}, got {value}")
        return value

    return parse


def _one_char(text: str) -> str:
    if len(text) != 1:
        raise argparse.ArgumentTypeError(f"must be one character, got {text!r}")
    return text


def _json_map(path: str, flag: str, example: str) -> dict:
    """A JSON object from a file named on the command line."""
    p = Path(path)
    if p.is_dir():
        raise UserError(f"{flag} {p} is a directory; it must be a JSON file")
    try:
        value = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{flag} file {p} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{flag} file {p} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise UserError(f"{flag} must hold a JSON object, e.g. {example}")
    return value


# The library's messages advise keyword arguments; on the command line the
# same advice is a flag.
_FLAG_WORDS = [
    (r"encoding='([^']*)'", r"--encoding \1"),
    (r"pass sheet_name=", "pass --sheet NAME"),
    (r"pass dayfirst=", "pass --dayfirst or --monthfirst"),
    (r"pass date_format=", "pass --date-format"),
    (r"Map yours with columns=, e\.g\. columns=", "Map yours with --columns MAP.json, e.g. "),
    (r"pass region_map=\{\*\*segment\.features\.PORTUGAL_REGIONS, ",
     "pass --region-map MAP.json holding {"),
]


def _flag_words(text: str) -> str:
    import re

    for pattern, flag in _FLAG_WORDS:
        text = re.sub(pattern, flag, text)
    return text


def _read_options(args) -> dict:
    """The file-format flags as pandas read options (only those given)."""
    options = {"sep": args.sep, "decimal": args.decimal, "thousands": args.thousands}
    return {k: v for k, v in options.items() if v is not None}


def _table(frame: pd.DataFrame, digits: int = 3) -> str:
    with pd.option_context("display.width", 120, "display.max_columns", 30):
        return frame.round(digits).to_string()


# ---------------------------------------------------------------------------
# segment run
# ---------------------------------------------------------------------------


def _load(args) -> pd.DataFrame:
    columns = None
    if args.columns:
        columns = _json_map(args.columns, "--columns",
                            '{"Contract ID": "contract_id"} (your column -> segment\'s)')
    if args.query is not None or args.con is not None:
        if args.query is None or args.con is None or args.contracts is not None:
            raise UserError("--query and --con go together (a SELECT statement and a "
                            "database URL), instead of a CONTRACTS file")
        from segment._io import mask_url

        _say(f"[1/5] loading contracts from {mask_url(args.con)}")
        source = None
        options = dict(query=args.query, con=args.con, date_format=args.date_format)
    elif args.contracts is None:
        _say(f"[1/5] generating {args.n_contracts:,} synthetic contracts (Paper B's schema; "
             f"seed {args.seed})")
        source = sg.datasets.make_contracts(args.n_contracts, random_state=args.seed)
        options = {}
    else:
        source = Path(args.contracts)
        if not source.exists():
            raise UserError(f"contracts file {source} does not exist")
        if source.is_dir():
            raise UserError(f"{source} is a directory; give a contracts file (CSV, Excel, "
                            "Parquet)")
        _say(f"[1/5] loading {source}")
        options = dict(encoding=args.encoding, date_format=args.date_format,
                       read_options=_read_options(args) or None)
        if args.sheet is not None:
            options["sheet_name"] = _sheet(source, args.sheet)
    contracts = sg.load_contracts(source, columns=columns, dayfirst=args.dayfirst, **options)
    if len(contracts) == 0:
        report = contracts.attrs.get("cleaning_report")
        detail = " ".join(str(report).split()) if report is not None else ""
        raise UserError(f"no contract is left after cleaning ({detail})" if detail
                        else "no contract is left after cleaning")
    return contracts


def _sheet(path: Path, name: str):
    """--sheet as a sheet name; a number that names no sheet is a position
    (sheets named by year, "2022", are common)."""
    if not name.isdigit() or path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        return name
    try:
        names = pd.ExcelFile(path).sheet_names
    except Exception:  # the loader reports an unreadable workbook with its own message
        return name
    return name if name in names else int(name)


def figure_img(ax) -> str:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=110)
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _plots(X, customers_features, sweep, profile, best_labels) -> dict[str, str]:
    """PNG plots, base64: empty when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
    except ImportError:
        return {}
    from segment import plotting

    return {
        "Silhouette and inertia by K": figure_img(plotting.plot_k_sweep(sweep)),
        f"Silhouette per customer, K = {sweep.best_k}": figure_img(
            plotting.plot_silhouette(X, best_labels, samples=sweep.best_samples)),
        f"Cluster profiles, K = {sweep.best_k}": figure_img(plotting.plot_profile(profile)),
    }


REPORT_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f2f2f2; } .note { color: #555; font-size: 0.9em; }
img { max-width: 100%; border: 1px solid #eee; }
"""


def html_report(title: str, sections: list[tuple[str, str]]) -> str:
    body = "\n".join(f"<h2>{html.escape(h)}</h2>\n{content}" for h, content in sections)
    return (f"<!doctype html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{REPORT_CSS}</style></head><body>\n<h1>{html.escape(title)}</h1>\n"
            f"{body}\n</body></html>\n")


def frame_html(frame: pd.DataFrame, digits: int = 3) -> str:
    return frame.round(digits).to_html(border=0)


def _as_of(args) -> str | None:
    """--as-of as an ISO date; a day/month order is never guessed."""
    if args.as_of is None:
        return None
    try:
        ts = date_value(args.as_of, args.dayfirst, name="--as-of",
                         flags=("--dayfirst", "--monthfirst"))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return ts.date().isoformat()


def _check_out(path: str) -> Path:
    """--out must be a folder we can write, known before the work starts."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is an existing file; give a folder for the report")
    parent = out if out.exists() else next((p for p in out.parents if p.exists()), Path("."))
    if not os.access(parent, os.W_OK):
        raise UserError(f"--out {out}: cannot write in {parent}")
    return out


# Customers from which `segment run` scores the silhouettes in float32.
_FLOAT32_SILHOUETTE_ROWS = 250_000


def cmd_run(args) -> int:
    t_start = time.perf_counter()
    out = _check_out(args.out)
    as_of = _as_of(args)
    region_map = None
    if args.region_map:
        region_map = {**sg.features.PORTUGAL_REGIONS,
                      **_json_map(args.region_map, "--region-map",
                                  '{"Vigo": "north"} (location -> region)')}
    contracts = _load(args)
    report = contracts.attrs.get("cleaning_report")
    if report is not None:
        print(report)
    _say(f"[2/5] customer features (as of {as_of or 'the latest date in the data'})")
    try:
        customers = sg.customer_features(contracts, as_of=as_of, dayfirst=args.dayfirst,
                                         region_map=region_map)
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(str(exc).splitlines()[0]) from None
    features = sg.PAPER_B_FEATURES if args.features == "multi" else sg.RFM_FEATURES
    X = sg.minmax_scale(customers[features])
    n = len(X)
    bad = [k for k in args.k if k > n - 1]
    if bad:
        raise UserError(f"--k values {bad} need more customers than the {n} in the data")
    _say(f"[3/5] k-means + exact silhouette for K = {args.k[0]}..{args.k[-1]} on "
         f"{n:,} customers x {len(features)} features")
    from segment.metrics import silhouette_seconds

    # float32 distances (float64 sums: within 1e-6) where float64 would take minutes
    single = n >= _FLOAT32_SILHOUETTE_ROWS
    dtype = "float32" if single else "float64"
    seconds = silhouette_seconds(n, len(features), n_labelings=len(args.k), dtype=dtype)
    about = f"{seconds:.0f}" if seconds >= 10 else f"{seconds:.1f}"
    _say(f"  the exact silhouettes of all {len(args.k)} K in one pass over the "
         f"{n * (n - 1) // 2:,} pairs in {dtype}: about {about} s (estimate)")
    sweep = sg.k_sweep(X, k=args.k, n_init=args.n_init, random_state=args.seed,
                       progress=_Progress(len(args.k), "K done"), silhouette_dtype=dtype)
    best = sweep.best_k
    labels = sweep.models[best].labels
    _say("[4/5] profiles and the most valuable cluster per K")
    profile = sg.profile_clusters(customers[features], labels, sort_by=features[0])
    valuable = sg.most_valuable(sweep, customers, by=features[0]
                                if args.features == "rfm" else "gross_revenue")
    ranking = None
    if len(valuable) >= 3:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # degenerate criteria are reported in the table
            ranking = sg.rank_segments(valuable)

    print("\nK table (silhouette exact on all customers):")
    print(_table(sweep.table))
    print(f"\nchosen K = {best} (highest silhouette {sweep.table.loc[best, 'silhouette']:.4f});"
          f" elbow of inertia at K = {sweep.elbow_k}")
    print(f"\nclusters for K = {best}, most valuable first:")
    print(_table(profile))
    print("\nmost valuable cluster per K (Paper B, Table 16):")
    print(_table(valuable))
    if ranking is not None:
        print(f"\nVIKOR over these candidates (size as cost; value, silhouette as benefit; "
              f"entropy weights): best {ranking.best}, compromise set "
              f"{list(ranking.compromise)}")

    _say("[5/5] writing the report")
    out.mkdir(parents=True, exist_ok=True)
    sweep.table.to_csv(out / "k_table.csv")
    profile.to_csv(out / f"profile_k{best}.csv")
    valuable.to_csv(out / "most_valuable.csv")
    pd.DataFrame({f"cluster_k{k}": m.labels for k, m in sweep.models.items()}).to_csv(
        out / "labels.csv")
    if report is not None:
        report.to_frame().to_csv(out / "cleaning_report.csv")
    plots = _plots(X, customers, sweep, profile, labels)
    sections = [
        ("Data", f"<p>{html.escape(str(report)) if report is not None else ''}</p>"
                 f"<p>{n:,} customers; features: {', '.join(features)} (min-max scaled)."
                 "</p>"),
        ("Choosing K", frame_html(sweep.table)
         + f"<p>Chosen K = {best} by the highest silhouette (exact, all customers); the "
           f"elbow of the inertia is at K = {sweep.elbow_k}.</p>"),
        (f"Clusters for K = {best}", frame_html(profile)),
        ("Most valuable cluster per K (Paper B, Table 16)", frame_html(valuable)),
    ]
    if ranking is not None:
        sections.append(("VIKOR ranking of the candidates", frame_html(ranking.to_frame())
                         + f"<p>Compromise set: {html.escape(str(list(ranking.compromise)))}"
                         "</p>"))
    if plots:
        sections += [(title, f"<img alt='{html.escape(title)}' src='data:image/png;base64,"
                             f"{data}'>") for title, data in plots.items()]
    else:
        sections.append(("Plots", "<p class='note'>matplotlib is not installed: "
                                  "pip install \"segment-kit[plot]\" for plots.</p>"))
    (out / "report.html").write_text(html_report("segment: customer segmentation report",
                                                  sections), encoding="utf-8")
    print(f"\nwrote {out / 'report.html'} and CSV tables in {out}/ "
          f"({time.perf_counter() - t_start:.1f} s in all)")
    return 0


# ---------------------------------------------------------------------------
# segment rank
# ---------------------------------------------------------------------------


def _read_matrix(args) -> pd.DataFrame:
    path = args.matrix
    if path is None:
        experts = sg.datasets.load_iot_experts()
        _say("decision matrix: Paper A, Table 2 (IoT marketing factors A1..A9 x criteria "
             "C1..C5; row A1 reconstructed)")
        return experts.matrix
    p = Path(path)
    if not p.exists():
        raise UserError(f"matrix file {p} does not exist")
    if p.is_dir():
        raise UserError(f"{p} is a directory; give the decision matrix as a CSV file")
    try:
        frame = pd.read_csv(p, index_col=0, encoding=args.encoding or "utf-8",
                            **_read_options(args))
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise UserError(f"could not read {p} as CSV: {str(exc).splitlines()[0]}"
                        + ("; pass --encoding (e.g. latin-1)"
                           if isinstance(exc, UnicodeDecodeError) else "")) from None
    if frame.empty:
        raise UserError(f"{p} has no rows: it needs alternatives as rows, criteria as columns")
    repeated = frame.index[frame.index.duplicated()].unique().tolist()
    if repeated:
        raise UserError(f"{p} names alternatives more than once: {repeated[:5]}; each row "
                        "needs its own name in the first column")
    for col in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[col]):
            continue
        numbers = pd.to_numeric(frame[col], errors="coerce")
        bad = frame.index[numbers.isna() & frame[col].notna()]
        if len(bad):
            cell = frame.at[bad[0], col]
            hint = (" (a decimal comma? pass --decimal ,)"
                    if isinstance(cell, str) and "," in cell else "")
            raise UserError(f"{p}: criterion {col!r} has a value that is not a number, "
                            f"{cell!r} for alternative {bad[0]!r}{hint}")
    return frame


def _parse_list(text: str | None, name: str) -> list[str] | None:
    if text is None:
        return None
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise UserError(f"{name} is empty")
    return items


def cmd_rank(args) -> int:
    matrix = _read_matrix(args)
    types = _parse_list(args.types, "--types")
    if types is not None:
        if len(types) != matrix.shape[1]:
            raise UserError(f"--types has {len(types)} entries but the matrix has "
                            f"{matrix.shape[1]} criteria {list(matrix.columns)}")
        types = [{"+": "benefit", "-": "cost"}.get(t, t) for t in types]
    try:
        if args.weights in ("entropy", "critic", "std", "equal"):
            fn = {"entropy": sg.entropy_weights, "std": sg.std_weights,
                  "equal": sg.equal_weights,
                  "critic": lambda m: sg.critic_weights(m, types=types)}[args.weights]
            weights = fn(matrix)
        else:
            values = [float(w) for w in _parse_list(args.weights, "--weights")]
            if len(values) != matrix.shape[1]:
                raise UserError(f"--weights has {len(values)} numbers but the matrix has "
                                f"{matrix.shape[1]} criteria")
            weights = pd.Series(values, index=matrix.columns, name="weight")
        result = sg.vikor(matrix, weights, v=args.v, types=types)
    except (ValueError, TypeError) as exc:
        raise UserError(str(exc).splitlines()[0]) from None
    print(f"weights ({args.weights}):")
    print(_table(pd.DataFrame({"weight": result.weights}), 4))
    print(f"\nVIKOR, v = {args.v}:")
    print(_table(result.to_frame(), 4))
    print(f"\nranking (by Q): {', '.join(map(str, result.ranking))}")
    print(f"compromise set: {', '.join(map(str, result.compromise))} "
          f"(C1 advantage {'holds' if result.advantage else 'fails'}, C2 stability "
          f"{'holds' if result.stability else 'fails'}, DQ = {result.dq:.4f})")
    if args.sensitivity:
        sens = sg.vikor_sensitivity(matrix, weights, types=types)
        print("\nQ by v (Paper A, Table 4):")
        print(_table(sens.to_frame(), 3))
        print("\ncompromise set by v (Paper A, Table 5):")
        for v, members in sens.compromise.items():
            print(f"  v = {v:.1f}: {', '.join(map(str, members))}")
        ws = sg.vikor_weight_sensitivity(matrix, weights, types=types, v=args.v,
                                         n_samples=10_000, random_state=0)
        print("\nunder 10,000 perturbed weight vectors (Dirichlet around the weights): "
              "share of draws per rank")
        print(_table(ws, 3))
    return 0


# ---------------------------------------------------------------------------
# segment survey
# ---------------------------------------------------------------------------


def cmd_survey(args) -> int:
    from segment.survey_report import survey_report

    out = _check_out(args.out)
    model = _json_map(
        args.model, "--model", '{"measurement": {"C": ["i1", "i2"]}, "structural": [["C", "D"]]}'
    )
    answers = Path(args.answers)
    if not answers.is_file():
        raise UserError(f"answers file {answers} does not exist")
    _say(f"survey: {answers}, {args.n_boot} bootstrap resamples")
    report = survey_report(
        str(answers), model, out=out, n_boot=args.n_boot, random_state=args.seed, scale=args.scale
    )
    print(_table(report.tables["paths"][["estimate", "t", "p"]]))
    if "table7" in report.tables:
        print(report.tables["table7"].to_string(index=False))
    for note in report.notes:
        _say(f"note: {note}")
    print(f"\nwrote {report.path} and CSV tables in {out}/")
    return 0


# ---------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="segment",
        description="Customer segmentation (k-means chosen by the exact silhouette) and "
                    "multi-criteria ranking (entropy weights, VIKOR) with a C core.",
    )
    parser.add_argument("--version", action="version", version=f"segment {sg.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{run,rank,survey}", parser_class=_Parser)
    run = sub.add_parser(
        "run", help="Paper B: contracts -> customer features -> K by silhouette -> report",
        description="Load and clean contracts, compute Paper B's customer features, cluster "
                    "them for every K with k-means, choose K by the exact silhouette, profile "
                    "the clusters and write DIR/report.html with CSV tables. Without CONTRACTS "
                    "it runs on synthetic contracts at Paper B's scale.")
    run.add_argument("contracts", nargs="?", help="contracts file (CSV, Excel, Parquet)")
    run.add_argument("--k", type=_parse_k, default=list(range(2, 11)),
                     help="candidate K: a range 2-10 (default) or a list 3,4,5")
    run.add_argument("--as-of", help="date the features are computed at, e.g. 2022-07-12 "
                                     "(default: the latest date in the data)")
    order = run.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", action="store_const", const=True, default=None,
                       help="read dates like 12/07/2022 day first (12 July), in --as-of and "
                            "in the contracts file (default: such dates are refused)")
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False,
                       help="read dates like 12/07/2022 month first (December 7)")
    run.add_argument("--features", choices=("multi", "rfm"), default="multi",
                     help="Paper B's eight features (multi, default) or RFM only")
    run.add_argument("--columns", metavar="MAP.json",
                     help="JSON object mapping your column names to segment's")
    run.add_argument("--region-map", metavar="MAP.json",
                     help="JSON object mapping locations to regions (north/south), added "
                          "to Portugal's built-in map")
    _file_flags(run)
    run.add_argument("--date-format", metavar="FORMAT",
                     help="strftime format of the file's dates, e.g. %%d/%%m/%%Y "
                          "(default ISO 2022-07-12)")
    run.add_argument("--sheet", metavar="NAME",
                     help="Excel sheet to read, by name or 0-based number (default the first)")
    run.add_argument("--query", metavar="SQL",
                     help="read the contracts from a database with this SELECT (with --con)")
    run.add_argument("--con", metavar="URL",
                     help="database URL for --query, e.g. postgresql+psycopg://user:pw@host/db "
                          "(needs segment-kit[sql]; the password is never printed)")
    run.add_argument("--out", default="segment-report", metavar="DIR",
                     help="output folder (default: segment-report)")
    run.add_argument("--seed", type=_int_at_least(0, 2**32 - 1), default=0,
                     help="random seed, 0 to 2**32 - 1 (default 0)")
    run.add_argument("--n-init", type=_int_at_least(1), default=10,
                     help="k-means restarts per K (default 10)")
    run.add_argument("--n-contracts", type=_int_at_least(1), default=88_390,
                     help="synthetic contracts to generate without CONTRACTS (default 88,390)")
    rank = sub.add_parser(
        "rank", help="Paper A: weigh criteria and rank alternatives with VIKOR",
        description="Rank the alternatives (rows) of a decision matrix over its criteria "
                    "(columns) with VIKOR. Without MATRIX.csv it uses Paper A's Table 2.")
    rank.add_argument("matrix", nargs="?", metavar="MATRIX.csv",
                      help="CSV: first column the alternatives, then one column per criterion")
    rank.add_argument("--weights", default="entropy",
                      help="entropy (default), critic, std, equal, or numbers W1,W2,...")
    rank.add_argument("--types", help="per criterion: benefit or cost (or + / -), comma-"
                                      "separated; default all benefit")
    rank.add_argument("--v", type=float, default=0.5, help="weight of group utility (0..1)")
    rank.add_argument("--sensitivity", action="store_true",
                      help="also Q and the compromise set for v = 1.0..0.1, and ranks under "
                           "perturbed weights")
    _file_flags(rank)
    survey = sub.add_parser(
        "survey", help="Paper A: questionnaire -> alpha, EFA, PLS + bootstrap, CFA -> report",
        description="Validate a questionnaire as Paper A does: Cronbach's alpha, exploratory "
                    "factor analysis, reliability and validity (Table 6), Fornell-Larcker and "
                    "HTMT, the PLS path model with a bootstrap (Figure 1) and the CFA fit "
                    "(Table 7); writes DIR/report.html and CSV tables. MODEL.json: "
                    '{"measurement": {"Construct": ["item1", ...], ...}, '
                    '"structural": [["From", "To"], ...]}')
    survey.add_argument("answers", metavar="ANSWERS",
                        help="answers file (CSV, Excel, Parquet): one row per respondent, one "
                             "column per item; numbers or verbal labels")
    survey.add_argument("--model", required=True, metavar="MODEL.json",
                        help="the measurement and structural model (JSON)")
    survey.add_argument("--out", default="survey-report", metavar="DIR",
                        help="output folder (default: survey-report)")
    survey.add_argument("--n-boot", type=_int_at_least(1), default=5000,
                        help="bootstrap resamples (default 5000)")
    survey.add_argument("--seed", type=_int_at_least(0, 2**32 - 1), default=0,
                        help="random seed of the bootstrap (default 0)")
    survey.add_argument("--scale", help="verbal scale of the answers, e.g. paper_a or agree5 "
                                        "(default: guessed by load_likert)")
    return parser


def _file_flags(sub: argparse.ArgumentParser) -> None:
    """How a CSV is written: the flags segment's own messages advise."""
    sub.add_argument("--sep", type=_one_char, help="column separator, e.g. ';' (default ',')")
    sub.add_argument("--decimal", type=_one_char,
                     help="decimal mark, e.g. ',' for 1,5 (default '.')")
    sub.add_argument("--thousands", type=_one_char,
                     help="thousands mark, e.g. '.' for 1.500,00 (default none)")
    sub.add_argument("--encoding", help="text encoding, e.g. latin-1 or cp1252 (default utf-8)")


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors in one line (exit 2), like the others."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "survey":
            return cmd_survey(args)
        return cmd_rank(args)
    except UserError as exc:
        print(f"segment {args.command}: error: {_flag_words(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, TypeError, KeyError, OSError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        # What the library refuses is the input's fault: one line, exit 2.
        if os.environ.get("SEGMENT_DEBUG"):
            raise
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"segment {args.command}: error: {_flag_words(text)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("segment: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

