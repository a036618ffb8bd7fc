"""Malformed files: a named error, or a CleaningReport entry for every row.

tests/test_contracts.py covers bad values in DataFrames, the wrong-encoding
and empty-file errors and ragged rows in the middle of a CSV. This file adds
what arrives as *files*: text in numeric columns, bad dates and duplicate ids
read from CSV, byte order marks, UTF-16, binary garbage, NUL bytes, line
endings, short rows, a ragged first row, unterminated quotes, duplicate
header names, corrupt Excel/Parquet/Feather/gzip files, and a property test:
whatever cells of a CSV are mangled, every data line of the file is either
kept or dropped with a reason (kept + dropped == read == lines).
"""

from __future__ import annotations

import csv
import gzip
import io
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segment import load_contracts, load_likert

HEADER = "contract_id,customer_id,date_installed,monthly_fee,mvc,extensions_amount,debt\n"


def good(i, **over):
    row = {"contract_id": f"k{i}", "customer_id": f"u{i % 4}",
           "date_installed": f"2020-0{1 + i % 9}-1{i % 10}", "monthly_fee": f"{10 + i}.5",
           "mvc": f"{i - 3}.25", "extensions_amount": "0", "debt": "no"}
    row.update(over)
    return ",".join(row.values()) + "\n"


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def accounted(report, n_lines):
    assert report.n_read == n_lines, (report.n_read, n_lines)
    assert report.n_kept + report.n_dropped == report.n_read
    return report.dropped


# ---------------------------------------------------------------------------
# Bad values arriving in a CSV file
# ---------------------------------------------------------------------------


def test_csv_text_in_numeric_columns(tmp_path):
    path = write(tmp_path, "text.csv", HEADER + good(0) + good(1, monthly_fee="ten")
                 + good(2, mvc="1e999") + good(3, monthly_fee="NaN")
                 + good(4, extensions_amount="two") + good(5, monthly_fee="12,5")
                 + good(6, mvc="1.2.3") + good(7))  # "12,5": a decimal comma is a field
    contracts, report = load_contracts(path, return_report=True)
    dropped = accounted(report, 8)
    assert contracts["contract_id"].tolist() == ["k0", "k7"]
    assert dropped["reason"].to_dict() == {
        1: "non_numeric", 2: "non_finite", 3: "missing_value", 4: "non_numeric",
        5: "ragged_row", 6: "non_numeric"}
    assert dropped.loc[1, "value"] == "ten" and dropped.loc[1, "column"] == "monthly_fee"
    assert dropped.loc[6, "contract_id"] == "k6"


def test_csv_bad_dates(tmp_path):
    bad = ["2020-02-30", "31/12/2020", "0000-00-00", "99999-01-01", "", "1899-12-31",
           "2020-13-01", "yesterday"]
    rows = [good(i, date_installed=d) for i, d in enumerate(bad)]
    path = write(tmp_path, "dates.csv", HEADER + "".join(rows) + good(8))
    contracts, report = load_contracts(path, return_report=True)
    dropped = accounted(report, 9)
    assert contracts["contract_id"].tolist() == ["k8"]
    reasons = dropped["reason"].tolist()
    assert reasons.count("missing_value") == 1
    assert set(reasons) <= {"unparseable_date", "missing_value", "date_out_of_range"}
    assert (dropped["column"] == "date_installed").all()
    assert dropped.loc[0, "value"] == "2020-02-30"


def test_csv_duplicate_ids(tmp_path):
    path = write(tmp_path, "dups.csv", HEADER + good(0) + good(0) + good(1)
                 + good(1, monthly_fee="99.0") + good(2) + good(0))
    contracts, report = load_contracts(path, return_report=True)
    dropped = accounted(report, 6)
    assert contracts["contract_id"].tolist() == ["k0", "k2"]
    assert dropped["reason"].to_dict() == {1: "duplicate_row", 2: "duplicate_contract_id",
                                           3: "duplicate_contract_id", 5: "duplicate_row"}


def test_csv_leading_zero_ids_and_whitespace_survive(tmp_path):
    path = write(tmp_path, "ids.csv", HEADER + good(0, contract_id="007", customer_id=" 0042 "))
    contracts = load_contracts(path)
    assert contracts.loc[0, "contract_id"] == "007" and contracts.loc[0, "customer_id"] == "0042"


# ---------------------------------------------------------------------------
# Decimal and thousands marks of the user's locale (issue 14, case 1)
# ---------------------------------------------------------------------------

EU = {"sep": ";", "decimal": ",", "thousands": "."}
EU_HEADER = HEADER.replace(",", ";")


def eu_row(i, **over):
    return good(i, monthly_fee="10,50", mvc="1,25", **over).replace(",", ";").replace(
        "10;50", "10,50").replace("1;25", "1,25")


def test_european_marks_survive_a_text_cell_in_a_number_column(tmp_path):
    # one "n/d" leaves monthly_fee as text: the other cells must be read with the
    # user's marks, not dropped (99,90) or read with a decimal point (1.500 = 1.5)
    fees = ["99,90", "1.500,00", "1.500", "n/d", "-0,5", "12", "1.234.567,5", "+3,"]
    path = write(tmp_path, "eu.csv", EU_HEADER + "".join(
        eu_row(i).replace("10,50", fee) for i, fee in enumerate(fees)))
    contracts, report = load_contracts(path, read_options=EU, return_report=True)
    dropped = accounted(report, len(fees))
    assert dropped[["reason", "column", "value"]].to_dict("index") == {
        3: {"reason": "non_numeric", "column": "monthly_fee", "value": "n/d"},
        4: {"reason": "negative_value", "column": "monthly_fee", "value": "-0,5"}}
    assert contracts["monthly_fee"].tolist() == [99.9, 1500.0, 1500.0, 12.0, 1234567.5, 3.0]
    assert (contracts["mvc"] == 1.25).all()


@pytest.mark.parametrize("cell", ["1.5", "1.50", "1.5000", "99.90", "1,500,00", "1.500.00",
                                  "1,2,3", ".500", "1..500", "1 500"])
def test_a_cell_that_breaks_the_users_marks_is_non_numeric_not_guessed(tmp_path, cell):
    # "1.5" under thousands="." is neither 1.5 nor 15: it is reported, not guessed
    path = write(tmp_path, "eu.csv", EU_HEADER + eu_row(0) + eu_row(1).replace("10,50", cell)
                 + eu_row(2).replace("10,50", "n/d"))
    contracts, report = load_contracts(path, read_options=EU, return_report=True)
    dropped = accounted(report, 3)
    assert dropped["reason"].to_dict() == {1: "non_numeric", 2: "non_numeric"}
    assert dropped.loc[1, "value"] == cell


def test_us_marks_with_a_text_cell(tmp_path):
    rows = ['"1,500.00"', '"1,234,567.25"', "99.90", "n/a?", "1500", '"1,5"']
    path = write(tmp_path, "us.csv", HEADER + "".join(
        good(i, monthly_fee="@") .replace("@", fee) for i, fee in enumerate(rows)))
    contracts, report = load_contracts(path, read_options={"thousands": ","},
                                       return_report=True)
    dropped = accounted(report, len(rows))
    assert dropped["reason"].to_dict() == {3: "non_numeric", 5: "non_numeric"}
    assert contracts["monthly_fee"].tolist() == [1500.0, 1234567.25, 99.9, 1500.0]


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f"])
def test_french_space_thousands(tmp_path, space):
    # French exports group thousands with a space, a no-break space (U+00A0) or a
    # narrow no-break space (U+202F); thousands=" " accepts all three
    fees = [f"1{space}500,25", f"12{space}345{space}678,5", "7,5", "n/d"]
    path = write(tmp_path, "fr.csv", EU_HEADER + "".join(
        eu_row(i).replace("10,50", fee) for i, fee in enumerate(fees)))
    contracts, report = load_contracts(
        path, read_options={"sep": ";", "decimal": ",", "thousands": " "}, return_report=True)
    dropped = accounted(report, len(fees))
    assert dropped["reason"].to_dict() == {3: "non_numeric"}
    assert contracts["monthly_fee"].tolist() == [1500.25, 12345678.5, 7.5]


def test_marks_must_be_one_character_and_differ(tmp_path):
    path = write(tmp_path, "plain.csv", HEADER + good(0))
    with pytest.raises(ValueError, match="same decimal and thousands mark ','"):
        load_contracts(path, read_options={"decimal": ",", "thousands": ","})
    with pytest.raises(ValueError, match=r"read_options\['thousands'\] must be one character"):
        load_contracts(path, read_options={"thousands": ".."})


def test_default_marks_are_unchanged(tmp_path):
    # without decimal/thousands a comma is not a number (as before)
    path = write(tmp_path, "plain.csv", HEADER + good(0, monthly_fee='"1,5"') + good(1))
    contracts, report = load_contracts(path, return_report=True)
    assert accounted(report, 2)["reason"].to_dict() == {0: "non_numeric"}


def test_one_bad_cell_deep_in_a_large_file_drops_one_row(tmp_path):
    # pandas' C parser infers types per chunk of rows (low_memory): a text cell at
    # row 180,000 left only that chunk as text (131,072 rows in the 1M-row report);
    # those rows were dropped or misread. Exactly the one bad row must go.
    n, bad = 200_000, 180_000
    i = np.arange(n)
    fee = np.array(["99,90", "1.500,00", "1.500", "7"], dtype=object)[i % 4]
    fee[bad] = "n/d"
    frame = pd.DataFrame({"contract_id": "k" + pd.Series(i).astype(str),
                          "customer_id": "u" + pd.Series(i % 997).astype(str),
                          "date_installed": "2020-01-15", "monthly_fee": fee, "mvc": "12,50",
                          "extensions_amount": "0", "debt": "no"})
    path = tmp_path / "big.csv"
    frame.to_csv(path, sep=";", index=False)
    with pytest.warns(pd.errors.DtypeWarning):  # the chunked read did happen
        contracts, report = load_contracts(path, read_options=EU, return_report=True)
    dropped = accounted(report, n)
    assert dropped["reason"].to_dict() == {bad: "non_numeric"}
    expected = np.array([99.9, 1500.0, 1500.0, 7.0])[np.delete(i, bad) % 4]
    np.testing.assert_array_equal(contracts["monthly_fee"].to_numpy(), expected)
    assert (contracts["mvc"] == 12.5).all()


# ---------------------------------------------------------------------------
# Encodings and bytes
# ---------------------------------------------------------------------------


def test_utf8_byte_order_mark_is_not_part_of_the_header(tmp_path):
    path = write(tmp_path, "bom.csv", ("\ufeff" + HEADER + good(0)).encode("utf-8"))
    contracts, report = load_contracts(path, return_report=True)
    accounted(report, 1)
    assert "contract_id" in report.column_map


def test_utf16_is_a_named_error_and_readable_with_the_encoding(tmp_path):
    path = write(tmp_path, "u16.csv", (HEADER + good(0) + good(1)).encode("utf-16"))
    with pytest.raises(ValueError, match=r"u16\.csv is not valid utf-8.*encoding="):
        load_contracts(path)
    contracts, report = load_contracts(path, encoding="utf-16", return_report=True)
    accounted(report, 2)


@pytest.mark.parametrize("blob", [bytes(range(256)) * 8, b"\x89PNG\r\n\x1a\n" + bytes(300),
                                  gzip.compress(b"a,b\n1,2\n")])
def test_binary_garbage_is_a_named_error(tmp_path, blob):
    path = write(tmp_path, "garbage.csv", blob)
    with pytest.raises(ValueError, match="garbage.csv"):
        load_contracts(path)
    with pytest.raises(ValueError, match="garbage.csv"):
        load_likert(path)


def test_nul_byte_in_a_field_drops_that_row(tmp_path):
    path = write(tmp_path, "nul.csv", HEADER + good(0, monthly_fee="1\x000") + good(1))
    contracts, report = load_contracts(path, return_report=True)
    dropped = accounted(report, 2)
    assert dropped["reason"].to_dict() == {0: "non_numeric"}


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_endings(tmp_path, newline):
    text = (HEADER + good(0) + good(1) + good(2)).replace("\n", newline)
    contracts, report = load_contracts(write(tmp_path, "eol.csv", text), return_report=True)
    accounted(report, 3)
    assert report.n_kept == 3


def test_whitespace_only_file_is_empty(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        load_contracts(write(tmp_path, "ws.csv", "   \n\t\n"))
    with pytest.raises(ValueError, match="empty"):
        load_likert(write(tmp_path, "ws2.csv", "\n   \n"))


# ---------------------------------------------------------------------------
# Structure: short and long rows, quotes, headers
# ---------------------------------------------------------------------------


def test_short_rows_are_missing_values(tmp_path):
    path = write(tmp_path, "short.csv", HEADER + "k0,u0\n" + "k1\n" + good(2) + ",,,,,,\n")
    contracts, report = load_contracts(path, return_report=True)
    dropped = accounted(report, 4)
    assert contracts["contract_id"].tolist() == ["k2"]
    assert set(dropped["reason"]) == {"missing_value"}


def test_blank_lines_are_not_rows(tmp_path):
    path = write(tmp_path, "blank.csv", HEADER + good(0) + "\n\n" + good(1) + "\n")
    contracts, report = load_contracts(path, return_report=True)
    accounted(report, 2)


def test_quoted_commas_and_newlines_stay_in_their_field(tmp_path):
    path = write(tmp_path, "quoted.csv",
                 "contract_id,customer_id,date_installed,location\n"
                 'k0,u0,2020-01-01,"Porto, Foz"\n'
                 'k1,u1,2020-01-02,"Lisboa\nBaixa"\n')
    contracts, report = load_contracts(path, return_report=True)
    accounted(report, 2)
    assert contracts["location"].tolist() == ["Porto, Foz", "Lisboa\nBaixa"]


def test_ragged_first_row_is_reported_not_shifted(tmp_path):  # BUG-L3
    path = write(tmp_path, "first.csv", HEADER + good(0).strip() + ",surprise\n" + good(1))
    contracts, report = load_contracts(path, return_report=True)
    dropped = accounted(report, 2)
    assert dropped["reason"].to_dict() == {0: "ragged_row"}
    assert dropped.loc[0, "value"] == "8 fields"
    assert contracts["contract_id"].tolist() == ["k1"]
    # the next row is read in its own columns (good(1): u1, 2020-02-11, 11.5, -2.25)
    row = contracts.loc[1]
    assert (row["customer_id"], row["monthly_fee"], row["mvc"]) == ("u1", 11.5, -2.25)
    assert row["date_installed"] == pd.Timestamp("2020-02-11")


def test_long_rows_after_a_long_first_row_are_all_reported(tmp_path):  # BUG-L3
    # pandas widens the expected row to the first data row's 9 fields: rows of 8
    # fields after it would then pass unnoticed. Trailing empty fields count too.
    lines = [good(0).strip() + ",a,b", good(1).strip() + ",c,d", good(2).strip() + ",e",
             good(3).strip(), good(4).strip() + ",", good(5).strip()]
    path = write(tmp_path, "long.csv", HEADER + "\n".join(lines) + "\n")
    contracts, report = load_contracts(path, return_report=True)
    dropped = accounted(report, 6)
    assert dropped["reason"].to_dict() == {0: "ragged_row", 1: "ragged_row", 2: "ragged_row",
                                           4: "ragged_row"}
    assert dropped["value"].tolist() == ["9 fields", "9 fields", "8 fields", "8 fields"]
    assert contracts["contract_id"].tolist() == ["k3", "k5"]
    assert contracts["monthly_fee"].tolist() == [13.5, 15.5]


def test_likert_ragged_first_row_is_an_error(tmp_path):  # BUG-L3
    path = write(tmp_path, "lk.csv", "q1,q2\n1,2,3\n3,4\n")
    with pytest.raises(ValueError, match=r"lk\.csv has rows with more fields than the header "
                       r"at rows \[0\]"):
        load_likert(path)
    ok = write(tmp_path, "ok.csv", "q1,q2\n1,2\n3,4\n")  # not shifted when nothing is long
    assert load_likert(ok).to_numpy().tolist() == [[1.0, 2.0], [3.0, 4.0]]


UNCLOSED = 'k1,u1,"2020-01-01,10.5,1.0,0,no\n'


@pytest.mark.parametrize("name, text, line", [
    ("quote.csv", HEADER + good(0) + UNCLOSED + good(2) + good(3), 3),
    # a well-quoted field spanning two lines before it: lines, not records, are counted
    ("multi.csv", HEADER + good(0, debt='"n\no"') + good(2) + UNCLOSED + good(3), 5),
    # after a long row: the file takes the slow path for ragged rows
    ("ragged.csv", HEADER + good(0) + good(2).strip() + ",x\n" + UNCLOSED + good(3), 4),
    ("crlf.csv", (HEADER + good(0) + UNCLOSED + good(2)).replace("\n", "\r\n"), 3),
])
def test_unterminated_quote_is_an_error_naming_file_and_line(tmp_path, name, text, line):
    # BUG-L1: pandas read the rest of the file into one field, so rows vanished
    path = write(tmp_path, name, text)
    with pytest.raises(ValueError, match=rf"{name.replace('.', '[.]')} has a quote .* opened "
                       rf"on line {line} that is never closed.*quoting"):
        load_contracts(path)


def test_unterminated_quote_in_compressed_and_likert_files(tmp_path):  # BUG-L1
    text = HEADER + good(0) + UNCLOSED + good(2)
    with pytest.raises(ValueError, match=r"q\.csv\.gz has a quote .* on line 3"):
        load_contracts(write(tmp_path, "q.csv.gz", gzip.compress(text.encode())))
    with pytest.raises(ValueError, match=r"lq\.csv has a quote .* on line 3"):
        load_likert(write(tmp_path, "lq.csv", 'q1,q2\n1,2\n"3,4\n5,6\n'))
    # read as plain text when asked: every line is then a row
    contracts, report = load_contracts(write(tmp_path, "q.csv", text), return_report=True,
                                       read_options={"quoting": 3})
    accounted(report, 3)
    assert contracts["contract_id"].tolist() == ["k0", "k2"]


@pytest.mark.parametrize("loader, text, dup", [
    (load_contracts, "contract_id,contract_id,customer_id,date_installed\n1,2,u,2020-01-01\n",
     "contract_id"),
    (load_likert, "q1,q1\n1,2\n3,4\n", "q1"),
    (load_likert, "q1,q2,q2,q1\n1,2,3,4\n", "q2"),  # after a long row: the slow path
])
def test_repeated_header_names_are_an_error(tmp_path, loader, text, dup):  # BUG-L2
    with pytest.raises(ValueError, match=rf"dup\.csv has duplicate column names \['{dup}'"):
        loader(write(tmp_path, "dup.csv", text))


def test_repeated_header_after_a_long_row_is_an_error(tmp_path):  # BUG-L2, slow path
    with pytest.raises(ValueError, match=r"duplicate column names \['q1'\]"):
        load_likert(write(tmp_path, "dup.csv", "q1,q1\n1,2\n3,4,5\n"))


def test_header_names_like_pandas_renames_are_not_duplicates(tmp_path):  # BUG-L2
    got = load_likert(write(tmp_path, "ok.csv", "q1,q1.1\n1,2\n3,4\n"))
    assert list(got.columns) == ["q1", "q1.1"]


def test_repeated_excel_header_is_an_error(tmp_path):  # BUG-L2 for Excel too
    rows = [good(i).strip().split(",") for i in range(3)]
    frame = pd.DataFrame([[r[0]] + r for r in rows])
    frame.columns = ["contract_id"] + HEADER.strip().split(",")
    frame.to_excel(tmp_path / "dup.xlsx", index=False)
    with pytest.raises(ValueError, match=r"dup\.xlsx has duplicate column names \['contract_id'"):
        load_contracts(tmp_path / "dup.xlsx")


@pytest.mark.parametrize("name, blob, what, cause", [
    ("c.xlsx", b"PK\x03\x04garbage" * 10, "an Excel workbook", "BadZipFile"),
    ("c.xlsx", b"not a workbook\n", "an Excel workbook", "ValueError"),
    ("c.feather", b"ARROW1garbage", "a Feather", "ArrowInvalid"),
    ("c.parquet", b"PAR1garbagePAR1", "a Parquet file", "ArrowInvalid"),
    ("c.csv.gz", b"\x1f\x8bnot gzip at all", "gzip-compressed text", "BadGzipFile"),
    ("c.csv.gz", gzip.compress((HEADER + good(0) * 50).encode())[:60], "gzip-compressed text",
     "EOFError"),  # truncated
    ("c.csv.bz2", b"BZh9garbage", "bzip2-compressed text", "OSError"),
    ("c.csv.xz", b"\xfd7zXZ\x00garbage", "xz-compressed text", "LZMAError"),
    ("c.csv.zip", b"PK\x03\x04garbage", "a zip archive", "BadZipFile"),
])
def test_corrupt_binary_files_are_named_errors(tmp_path, name, blob, what, cause):  # BUG-L4
    path = write(tmp_path, name, blob)
    with pytest.raises(ValueError, match=rf"{name.replace('.', '[.]')} could not be read as "
                       rf"{what}.*export it again") as info:
        load_contracts(path)
    assert type(info.value.__cause__).__name__ == cause  # chained, not swallowed
    if name.endswith((".gz", ".bz2", ".xz", ".zip")):
        with pytest.raises(ValueError, match=rf"{name.replace('.', '[.]')} could not be read"):
            load_likert(path)


def test_excel_and_parquet_bad_values_are_accounted(tmp_path):
    rows = [good(i).strip().split(",") for i in range(6)]
    frame = pd.DataFrame(rows, columns=HEADER.strip().split(","))
    frame.loc[1, "monthly_fee"] = "ten"
    frame.loc[2, "date_installed"] = "2020-02-30"
    frame.loc[3] = frame.loc[0]
    for name, save in (("c.xlsx", frame.to_excel), ("c.parquet", frame.to_parquet)):
        path = tmp_path / name
        save(path, index=False) if name.endswith("xlsx") else save(path)
        contracts, report = load_contracts(path, return_report=True)
        dropped = accounted(report, 6)
        assert dropped["reason"].to_dict() == {1: "non_numeric", 2: "unparseable_date",
                                               3: "duplicate_row"}


# ---------------------------------------------------------------------------
# Likert answers from files
# ---------------------------------------------------------------------------


def test_likert_text_in_a_numeric_answer_is_named(tmp_path):
    path = write(tmp_path, "lk.csv", "q1,q2\n1,2\n5,abc\n3,4\n")
    with pytest.raises(ValueError, match="abc"):
        load_likert(path, scale=range(1, 6))


def test_likert_bom_and_crlf(tmp_path):
    path = write(tmp_path, "lk.csv", "\ufeffq1,q2\r\n1,2\r\n3,4\r\n".encode("utf-8"))
    got = load_likert(path, scale=range(1, 6))
    assert list(got.columns) == ["q1", "q2"] and got.shape == (2, 2)


# ---------------------------------------------------------------------------
# Property: every data line is accounted for, whatever the cells hold
# ---------------------------------------------------------------------------

JUNK = st.sampled_from(["", " ", "abc", "-1", "2.5", "1e999", "NaN", "2020-02-30", "x", "yes",
                        "1/2/2020", "2030-01-01", "0", "\t", "é", "k0", "u1", "1,5"])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 19), st.integers(0, 6), JUNK), max_size=30),
       extra=st.lists(st.integers(1, 19), max_size=3),
       short=st.lists(st.integers(0, 19), max_size=3))
def test_property_every_line_of_a_mangled_csv_is_accounted_for(tmp_path, edits, extra, short):
    rows = [good(i).strip().split(",") for i in range(20)]
    for r, c, value in edits:
        rows[r][c] = value.replace(",", ";") if value == "1,5" else value
    for r in short:
        rows[r] = rows[r][:3]
    for r in extra:  # rows after the first with an extra field
        rows[r] = rows[r] + ["surplus"]
    ragged = {r for r in range(20) if len(rows[r]) > 7}
    text = HEADER + "".join(",".join(r) + "\n" for r in rows)
    path = tmp_path / "mangled.csv"
    path.write_text(text, encoding="utf-8")
    contracts, report = load_contracts(path, return_report=True)
    dropped = accounted(report, 20)
    assert sorted(contracts.index.tolist() + dropped.index.tolist()) == list(range(20))
    assert set(dropped.index[dropped["reason"] == "ragged_row"]) == ragged
    assert dropped["reason"].notna().all()
    # the kept rows are clean: reading the loaded frame again keeps all of them
    again, report2 = load_contracts(contracts, return_report=True)
    assert report2.n_dropped == 0
    assert np.array_equal(again["contract_id"].to_numpy(), contracts["contract_id"].to_numpy())


# ---------------------------------------------------------------------------
# Issue 14, cases 4 and 5: options and files that used to give raw pandas errors
# or lose rows without a word
# ---------------------------------------------------------------------------


def test_delimiter_alone_is_sep(tmp_path):  # L14-5
    path = write(tmp_path, "semi.csv", HEADER.replace(",", ";")
                 + good(0).replace(",", ";") + good(1).replace(",", ";"))
    via_delimiter = load_contracts(path, read_options={"delimiter": ";"})
    via_sep = load_contracts(path, read_options={"sep": ";"})
    pd.testing.assert_frame_equal(via_delimiter, via_sep)
    assert via_sep["contract_id"].tolist() == ["k0", "k1"]
    with pytest.raises(ValueError, match="both 'sep' and 'delimiter'"):
        load_contracts(path, read_options={"delimiter": ";", "sep": ";"})


def test_xls_without_its_reader_names_xlrd_and_the_extra(tmp_path, monkeypatch):  # L14-5
    pytest.importorskip("openpyxl")
    path = tmp_path / "old.xls"
    # an .xls (BIFF) workbook begins with the OLE2 compound-file signature
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    monkeypatch.setitem(__import__("sys").modules, "xlrd", None)  # as if not installed
    with pytest.raises(ValueError) as err:
        load_contracts(path)
    text = str(err.value)
    assert "needs the optional package xlrd" in text and "segment-kit[io]" in text
    assert "openpyxl" not in text.split("(")[0]


@pytest.mark.parametrize("column", ["contract_id", "customer_id"])
@pytest.mark.parametrize("bad", [1e20, np.inf, -np.inf, 2.0**63])
def test_float_ids_beyond_int64_or_inf_are_an_error_naming_the_column(column, bad):  # L14-5
    frame = pd.DataFrame({"contract_id": [1.0, 2.0, 3.0], "customer_id": [7.0, 8.0, 9.0],
                          "date_installed": ["2020-01-01"] * 3, "location": [1.0, 1e30, np.inf]})
    frame.loc[1, column] = bad
    with pytest.raises(ValueError, match=rf"column {column} holds ids as floats.*rows \[1\]"):
        load_contracts(frame)


def test_float_ids_that_are_whole_numbers_still_read_as_text():
    frame = pd.DataFrame({"contract_id": [1.0, 2.0**62, np.nan], "customer_id": [7.0, 8.0, 9.0],
                          "date_installed": ["2020-01-01"] * 3, "location": [1.5, 1e30, np.inf]})
    contracts, report = load_contracts(frame, return_report=True)
    assert contracts["contract_id"].tolist() == ["1", str(2**62)]
    assert report.dropped["reason"].tolist() == ["missing_value"]
    # a float text column beyond int64 is text, not a crash
    assert contracts["location"].tolist() == ["1.5", "1e+30"]


@pytest.mark.parametrize("bad_lines", ["skip", "warn"])
def test_on_bad_lines_skip_keeps_the_rows_in_the_count(tmp_path, bad_lines):  # L14-4
    # before: pandas dropped the long rows before segment saw them, so n_read was 4
    # for 6 data lines and the report had no word of the two lost rows
    lines = [good(0), good(1).strip() + ",x\n", good(2), good(3), good(4).strip() + ",y,z\n",
             good(5)]
    path = write(tmp_path, "bad.csv", HEADER + "".join(lines))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no ParserWarning from pandas
        contracts, report = load_contracts(path, read_options={"on_bad_lines": bad_lines},
                                           return_report=True)
    dropped = accounted(report, 6)
    assert dropped["reason"].to_dict() == {1: "ragged_row", 4: "ragged_row"}
    assert contracts["contract_id"].tolist() == ["k0", "k2", "k3", "k5"]
    plain = load_contracts(path)
    pd.testing.assert_frame_equal(contracts, plain)


def test_on_bad_lines_skip_in_load_likert_says_which_rows(tmp_path):  # L14-4
    path = write(tmp_path, "answers.csv", "q1,q2\n1,2\n3,4,5\n4,5\n")
    with pytest.warns(UserWarning, match=r"left out 1 rows .* at rows \[1\]"):
        answers = load_likert(path, read_options={"on_bad_lines": "skip"}, scale=range(1, 6))
    assert answers["q1"].tolist() == [1.0, 4.0]
    with pytest.raises(ValueError, match="more fields than the header"):
        load_likert(path, scale=range(1, 6))


def test_excel_date_column_mixing_date_cells_and_day_month_text(tmp_path):  # L14-4
    # before: date_format="%d/%m/%Y" dropped every real Excel date as unparseable
    # (read as "2020-01-15 00:00:00" text), and without it the text was dropped
    openpyxl = pytest.importorskip("openpyxl")
    import datetime

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["contract_id", "customer_id", "date_installed", "first_extension_date"])
    ws.append(["k0", "u0", datetime.datetime(2020, 1, 15), None])
    ws.append(["k1", "u1", "25/07/2021", datetime.datetime(2022, 2, 1)])
    ws.append(["k2", "u2", datetime.datetime(2019, 3, 2), "01/02/2020"])
    ws.append(["k3", "u3", "03/04/2018", None])
    path = tmp_path / "mixed.xlsx"
    wb.save(path)
    expected = pd.to_datetime(["2020-01-15", "2021-07-25", "2019-03-02", "2018-04-03"])
    for kw in ({"date_format": "%d/%m/%Y"}, {"dayfirst": True}):
        contracts, report = load_contracts(path, return_report=True, **kw)
        accounted(report, 4)
        assert report.n_dropped == 0, (kw, report.dropped)
        assert contracts["date_installed"].tolist() == expected.tolist()
        assert contracts["first_extension_date"].tolist()[1:3] == [
            pd.Timestamp("2022-02-01"), pd.Timestamp("2020-02-01")]
    # the same mix in a DataFrame (Timestamps and text in one object column)
    frame = pd.DataFrame({"contract_id": ["a", "b"], "customer_id": ["u", "v"],
                          "date_installed": [pd.Timestamp("2020-01-15"), "25/07/2021"]})
    got = load_contracts(frame, date_format="%d/%m/%Y")
    assert got["date_installed"].tolist() == expected[:2].tolist()


def _workbook_by_year(path):
    rows = {"2021": [good(0), good(1)], "2022": [good(2), good(3), good(4)],
            "2023": [good(5)]}
    cols = HEADER.strip().split(",")
    with pd.ExcelWriter(path) as writer:
        for year, lines in rows.items():
            frame = pd.DataFrame([line.strip().split(",") for line in lines], columns=cols)
            frame.to_excel(writer, sheet_name=year, index=False)
        pd.DataFrame({"note": ["exported by hand"]}).to_excel(writer, sheet_name="notes",
                                                              index=False)
    return path


def test_excel_with_one_sheet_per_year_warns_and_reads_all_on_request(tmp_path):  # L14-4
    # before: only the first sheet was read, without a word (2 of 6 contracts)
    pytest.importorskip("openpyxl")
    path = _workbook_by_year(tmp_path / "by_year.xlsx")
    with pytest.warns(UserWarning, match=r"only the first \('2021'\).*\['2022', '2023'\]"):
        first = load_contracts(path)
    assert first["contract_id"].tolist() == ["k0", "k1"]
    contracts, report = load_contracts(path, sheet_name=["2021", "2022", "2023"],
                                       return_report=True)
    accounted(report, 6)
    assert contracts["contract_id"].tolist() == [f"k{i}" for i in range(6)]
    assert contracts["sheet"].tolist() == ["2021", "2021", "2022", "2022", "2022", "2023"]
    with pytest.raises(ValueError, match=r"different columns: '2021' has .* 'notes' has"):
        load_contracts(path, sheet_name=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        named = load_contracts(path, sheet_name="2022")  # a sheet by name: no warning
    assert named["contract_id"].tolist() == ["k2", "k3", "k4"]


# Two stray quotes (issue 14, case 4): a field that opens with a quote runs to the
# next quote, so the lines between merged into one cell and their contracts vanished.
STRAY_HEADER = "contract_id,customer_id,date_installed,location,monthly_fee,debt\n"


def stray(i, location):
    return f"k{i},u{i},2020-01-0{i + 1},{location},1{i}.5,no\n"


@pytest.mark.parametrize("lines, opens, closes", [
    # the closing quote in the same column: the merged row looks whole
    ([stray(0, "Porto"), stray(1, '"Lisboa'), stray(2, "Faro"), stray(3, 'Braga"'),
      stray(4, "Evora")], 3, 5),
    # on the next line
    ([stray(0, "Porto"), stray(1, '"Lisboa'), stray(2, 'Faro"'), stray(3, "Braga")], 3, 4),
    # in a later column: the merged row is short (it was read with missing values)
    ([stray(0, "Porto"), stray(1, '"Lisboa'), 'k2,u2,2020-01-03,Faro,12.5,n"o\n',
      stray(3, "Braga")], 3, 4),
    # in an earlier column: the merged row is long (it was dropped as ragged)
    ([stray(0, "Porto"), stray(1, '"Lisboa'), 'k2,u"2,2020-01-03,Faro,12.5,no\n',
      stray(3, "Braga")], 3, 4),
])
def test_two_stray_quotes_are_an_error_naming_the_lines(tmp_path, lines, opens, closes):
    path = write(tmp_path, "stray.csv", STRAY_HEADER + "".join(lines))
    # what a CSV reader makes of it (Python's csv module, as pandas): fewer records
    # than data lines, one cell holding the others
    records = list(csv.reader(io.StringIO(path.read_text(), newline="")))
    assert len(records) - 1 < len(lines)
    with pytest.raises(ValueError, match=rf"stray\.csv has a quote \(\"\) opening column "
                       rf"'location' on line {opens} and closed only on line {closes}, so "
                       r"the lines between were read as one row .*quoting"):
        load_contracts(path)
    # read as plain text when asked: every line is a row again
    contracts, report = load_contracts(path, return_report=True, read_options={"quoting": 3})
    accounted(report, len(lines))


def test_two_stray_quotes_in_a_likert_file(tmp_path):
    path = write(tmp_path, "lk.csv", 'id,q1,q2\nr1,"1,2\nr2,3,4\nr3,5",6\n')
    with pytest.raises(ValueError, match=r"lk\.csv has a quote .* column 'q1' on line 2 and "
                       r"closed only on line 4"):
        load_likert(path)


def test_quoted_fields_with_line_breaks_and_separators_still_load(tmp_path):
    text = (STRAY_HEADER
            + 'k0,u0,2020-01-01,"Rua A, 10\nPorto, Foz",10.5,no\n'
            + 'k1,u1,2020-01-02,"Av. B, 2, 3, 4, 5, 6, 7\nLisboa",11.5,no\n'
            + 'k2,u2,2020-01-03,"""Casa"" Azul,\r\nFaro, Algarve\n(sul)",12.5,no\n'
            + stray(3, "Braga")
            + 'k4,u4,2020-01-05,"Evora, a, b, c, d, e, f, g",14.5,no\n')
    path = write(tmp_path, "quoted.csv", text)
    contracts, report = load_contracts(path, return_report=True)
    accounted(report, 5)
    # the reference: Python's csv module on the same text
    expected = [row[3] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert contracts["location"].tolist() == expected
    assert expected[2] == '"Casa" Azul,\r\nFaro, Algarve\n(sul)'
