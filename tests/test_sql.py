"""load_contracts from a real PostgreSQL server (issue 14).

.ci/run starts a throwaway server and exports its URL (with a password) in
SEGMENT_TEST_PG_URL. With CI=true (or SEGMENT_TEST_PG_REQUIRED=1, which .ci/run
sets) a missing URL or driver fails these tests;
elsewhere they skip, saying how to run them.

The server holds Paper B's 88,390 synthetic contracts, a few of them broken
(a negative fee, an extension before its installation, a conflicting contract
id, empty required cells); read through a URL, an engine or a connection they
give the same frame and CleaningReport as the same rows written to CSV. The
password never appears in an error, a warning, the CleaningReport, the
command line's report or a log record.
"""

from __future__ import annotations

import importlib
import io
import logging
import os
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from segment import load_contracts
from segment._io import mask_url
from segment.cli import main as cli_main
from segment.datasets import make_contracts

N = 88_390
IN_CI = (os.environ.get("CI", "").lower() == "true"
         or os.environ.get("SEGMENT_TEST_PG_REQUIRED") == "1")
QUERY = "SELECT * FROM contracts ORDER BY pos"


def _missing(reason):
    if IN_CI:
        pytest.fail(f"CI=true, but {reason}: .ci/run must provide it")
    pytest.skip(reason)


def _module(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        _missing(f"{name} is not installed (pip install segment-kit[sql])")


@pytest.fixture(scope="module")
def pg_url():
    url = os.environ.get("SEGMENT_TEST_PG_URL")
    if not url:
        _missing("no PostgreSQL: set SEGMENT_TEST_PG_URL=postgresql+psycopg://user:pw@"
                 "host:port/db (.ci/run starts a server and sets it)")
    _module("psycopg")
    return url


@pytest.fixture(scope="module")
def password(pg_url):
    pw = _module("sqlalchemy").make_url(pg_url).password
    assert pw and len(pw) >= 8, "the test URL needs a password to look for"
    return pw


def _sample() -> pd.DataFrame:
    frame = make_contracts(N, random_state=0)
    frame.insert(0, "pos", np.arange(N))
    frame.loc[10, "monthly_fee"] = -5.0  # negative_value
    frame.loc[20, "customer_id"] = None  # missing_value
    frame.loc[30, "date_installed"] = pd.NaT  # missing_value
    frame.loc[40, "contract_id"] = frame.loc[41, "contract_id"]  # duplicate_contract_id
    has_ext = frame.index[frame["first_extension_date"].notna()]
    frame.loc[has_ext[0], "first_extension_date"] = pd.Timestamp("1980-01-01")
    return frame


@pytest.fixture(scope="module")
def contracts_table(pg_url, tmp_path_factory):
    """The sample in a PostgreSQL table (typed columns, loaded with COPY) and a CSV."""
    sa = _module("sqlalchemy")
    sample = _sample()
    csv_path = tmp_path_factory.mktemp("sql") / "contracts.csv"
    sample.to_csv(csv_path, index=False)
    engine = sa.create_engine(pg_url)
    ddl = """
        DROP TABLE IF EXISTS contracts;
        CREATE TABLE contracts (
            pos integer PRIMARY KEY, contract_id text, customer_id text,
            date_installed date, location text, contract_type text,
            local_description text, payment_type text, invoice_type text,
            monthly_fee double precision, installation_fee double precision,
            extensions_amount integer, extensions_fee double precision,
            first_extension_date date, last_extension_date date, debt_amount integer,
            time_in_debt double precision, mvc double precision, debt boolean)
    """
    buf = io.StringIO()
    sample.to_csv(buf, index=False, header=False, date_format="%Y-%m-%d")
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute(ddl)
            with cur.copy("COPY contracts FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(buf.getvalue())
        raw.commit()
    finally:
        raw.close()
    yield csv_path
    engine.dispose()


def _same_as_csv(got, report, csv_path):
    expected, expected_report = load_contracts(csv_path, return_report=True)
    pd.testing.assert_frame_equal(got, expected)
    assert (report.n_read, report.n_kept) == (expected_report.n_read, expected_report.n_kept)
    assert report.n_read == N
    pd.testing.assert_frame_equal(report.to_frame(), expected_report.to_frame())
    cols = ["reason", "column", "contract_id", "customer_id"]
    pd.testing.assert_frame_equal(report.dropped[cols], expected_report.dropped[cols])
    assert report.column_map == expected_report.column_map
    assert report.absent_columns == expected_report.absent_columns
    assert {"negative_value", "missing_value", "duplicate_contract_id",
            "extension_before_installation", "outstanding_debt"} <= set(report.counts.index)


def test_a_url_gives_the_same_frame_and_report_as_csv(pg_url, password, contracts_table,
                                                      capsys):
    got, report = load_contracts(query=QUERY, con=pg_url, return_report=True)
    _same_as_csv(got, report, contracts_table)
    assert report.source == "SQL query on " + pg_url.replace(password, "***")
    # 88,390 rows are two chunks of 50,000: the progress is shown by default
    assert "reading contracts" in capsys.readouterr().err


def test_an_engine_reads_through_a_server_side_cursor(pg_url, contracts_table, capsys):
    sa = _module("sqlalchemy")
    engine = sa.create_engine(pg_url)
    cursors = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda conn, cursor, *a: cursors.append(type(cursor).__name__))
    try:
        got, report = load_contracts(query=QUERY, con=engine, return_report=True,
                                     read_options={"chunksize": 20_000}, progress=False)
        assert "ServerCursor" in cursors, cursors  # psycopg's named cursor: rows streamed
        _same_as_csv(got, report, contracts_table)
        assert capsys.readouterr().err == ""  # progress=False
        with engine.connect() as conn:  # a connection works too
            again = load_contracts(query=QUERY + " LIMIT 500", con=conn)
        pd.testing.assert_frame_equal(again, got.loc[got.index < 500])
    finally:
        engine.dispose()


def test_progress_without_tqdm_is_a_line_in_rows(pg_url, contracts_table, capsys,
                                                  monkeypatch):
    for name in ("tqdm", "tqdm.std", "tqdm.auto"):
        monkeypatch.setitem(sys.modules, name, None)
    load_contracts(query=QUERY + " LIMIT 3000", con=pg_url, progress=True,
                   read_options={"chunksize": 1000})
    err = capsys.readouterr().err
    assert err.endswith("\rreading contracts: 3,000 rows\n"), repr(err)


def _every_output(call, caplog):
    """The text of the exception, the warnings and the log records of call()."""
    texts = []
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call()
        except Exception as exc:  # noqa: BLE001 -- every error is searched
            result = None
            texts += [str(exc), repr(exc)]
            cause = exc.__cause__
            texts += [str(cause)] if cause is not None and not exc.__suppress_context__ else []
    texts += [str(w.message) for w in caught]
    texts += [r.getMessage() for r in caplog.records]
    return result, "\n".join(texts)


@pytest.mark.parametrize("how", ["wrong password", "unknown database", "bad SQL",
                                 "no such table", "engine", "unknown driver"])
def test_the_password_never_appears(pg_url, password, contracts_table, caplog, how):
    sa = _module("sqlalchemy")
    url, query = pg_url, QUERY + " LIMIT 50"
    if how == "wrong password":
        url = pg_url.replace(password, password[::-1])
    elif how == "unknown database":
        url = pg_url.rsplit("/", 1)[0] + "/no_such_db"
    elif how == "bad SQL":
        query = f"SELEKT '{password}' FROM contracts"  # even inside the statement
    elif how == "no such table":
        query = "SELECT * FROM no_such_table"
    elif how == "unknown driver":
        url = pg_url.replace("+psycopg", "+nosuchdriver")
    con = sa.create_engine(url) if how == "engine" else url
    result, text = _every_output(
        lambda: load_contracts(query=query, con=con, return_report=True), caplog)
    secrets = {password, password[::-1]}
    if how == "engine":
        frame, report = result
        text += "\n".join([str(report), repr(report), report.source,
                           report.to_frame().to_string(), frame.to_string()])
    else:
        assert result is None, how
        assert "reading contracts" in text or "not a usable database URL" in text
        assert "***" in text  # the URL is named, masked
    for secret in secrets:
        assert secret not in text, (how, text)


def test_the_command_line_masks_the_password(pg_url, password, contracts_table, tmp_path,
                                             capsys, caplog):
    pytest.importorskip("matplotlib")
    out = tmp_path / "report"
    caplog.set_level(logging.DEBUG)
    code = cli_main(["run", "--query", QUERY + " LIMIT 4000", "--con", pg_url,
                     "--k", "2,3", "--n-init", "1", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    html = (out / "report.html").read_text()
    files = "".join(p.read_text(errors="replace") for p in out.iterdir() if p.is_file())
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert "***@" in printed.err + printed.out  # the source is named, masked
    for text in (html, files, printed.out, printed.err, logs):
        assert password not in text
    bad = pg_url.replace(password, password[::-1])
    code = cli_main(["run", "--query", QUERY, "--con", bad, "--out", str(tmp_path / "r2")])
    printed = capsys.readouterr()
    assert code == 2 and "***" in printed.err
    assert password[::-1] not in printed.err + printed.out


def test_mask_url_hides_only_the_password():
    assert mask_url("postgresql+psycopg://ann:s3cr%40t@db:5432/x") == \
        "postgresql+psycopg://ann:***@db:5432/x"
    assert mask_url("sqlite:///tmp/a.db") == "sqlite:///tmp/a.db"
    assert mask_url("postgresql://ann@db/x") == "postgresql://ann@db/x"
    text = "failed: mysql://u:pw@h/d and postgresql://v:p2@h/e"
    assert mask_url(text) == "failed: mysql://u:***@h/d and postgresql://v:***@h/e"


def test_a_url_without_sqlalchemy_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)
    with pytest.raises(ValueError, match=r"segment-kit\[sql\]") as err:
        load_contracts(query="SELECT 1", con="postgresql://ann:hunter22@db/x")
    assert "hunter22" not in str(err.value) and "ann:***@db" in str(err.value)
