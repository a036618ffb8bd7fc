"""The `segment` command: run (Paper B) and rank (Paper A)."""

import json
import subprocess
import sys

import pandas as pd
import pytest

import segment as sg
from segment.cli import main

SMALL = ["--n-contracts", "3000", "--k", "2-4", "--n-init", "2"]


def test_run_on_synthetic_contracts_writes_report(tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["run", *SMALL, "--out", str(out)]) == 0
    printed = capsys.readouterr()
    table = pd.read_csv(out / "k_table.csv", index_col="k")
    assert list(table.index) == [2, 3, 4]
    best = int(table["silhouette"].idxmax())
    assert f"chosen K = {best}" in printed.out
    assert "rows read" in printed.out  # the cleaning report
    assert "[3/5]" in printed.err  # progress goes to stderr
    labels = pd.read_csv(out / "labels.csv", index_col=0)
    profile = pd.read_csv(out / f"profile_k{best}.csv", index_col="cluster")
    assert profile["customers"].sum() == len(labels)
    # the labels written are a clustering with the silhouette the table reports
    X = sg.minmax_scale(sg.customer_features(sg.load_contracts(
        sg.datasets.make_contracts(3000, random_state=0)))[sg.PAPER_B_FEATURES])
    assert sg.silhouette_score(X, labels.loc[X.index, f"cluster_k{best}"]) == pytest.approx(
        table.loc[best, "silhouette"], abs=1e-12)
    html = (out / "report.html").read_text()
    assert "<img" in html and "data:image/png;base64," in html
    assert "Most valuable cluster per K" in html


def test_run_on_a_users_csv_with_a_column_map(tmp_path, capsys):
    contracts = sg.datasets.make_contracts(2000, random_state=3)
    user = contracts.rename(columns={"contract_id": "Contrato", "customer_id": "Cliente",
                                     "date_installed": "Instalado em"})
    path = tmp_path / "export.csv"
    user.to_csv(path, index=False)
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"Contrato": "contract_id", "Cliente": "customer_id",
                                   "Instalado em": "date_installed"}))
    out = tmp_path / "rep"
    code = main(["run", str(path), "--columns", str(mapping), "--k", "2,3", "--n-init", "1",
                 "--out", str(out), "--as-of", "2022-07-12"])
    assert code == 0
    assert (out / "report.html").exists()


def test_run_refuses_an_ambiguous_as_of_and_takes_dayfirst(tmp_path, capsys):
    argv = ["run", "--n-contracts", "500", "--k", "2", "--n-init", "1",
            "--out", str(tmp_path / "rep")]
    assert main([*argv, "--as-of", "12/07/2022"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--as-of='12/07/2022' is ambiguous" in err and "--dayfirst" in err, err
    assert main([*argv, "--as-of", "12/07/2022", "--dayfirst"]) == 0
    assert "as of 2022-07-12" in capsys.readouterr().err
    assert main([*argv, "--as-of", "25/07/2022"]) == 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "no-such-file.csv"], "does not exist"),
        (["run", *SMALL, "--columns", "missing.json"], "does not exist"),
        (["run", "--n-contracts", "300", "--k", "2-400", "--n-init", "1"], "need more customers"),
        (["rank", "no-such.csv"], "does not exist"),
        (["rank", "--types", "benefit,cost"], "--types has 2 entries"),
        (["rank", "--weights", "1,2"], "--weights has 2 numbers"),
        (["rank", "--weights", "1,2,3,4,-5"], "weight"),
    ],
)
def test_user_errors_print_one_line_and_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[-1]
    assert not any("Traceback" in line for line in err)


def test_bad_k_and_columns_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--k", "ten"])
    assert exc.value.code == 2
    assert "--k takes a range" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["run", *SMALL, "--columns", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_rank_reproduces_paper_a_at_v_half(capsys):
    assert main(["rank"]) == 0
    out = capsys.readouterr().out
    assert "compromise set: A6, A9" in out  # Paper A, Table 5, v = 0.5
    assert "ranking (by Q): A6, A9, A4" in out


def test_rank_sensitivity_prints_tables_4_and_5(capsys):
    assert main(["rank", "--sensitivity"]) == 0
    out = capsys.readouterr().out
    assert "v = 0.1: A6, A2, A9" in out  # Table 5's printed order at v = 0.1
    assert "v = 1.0: A6, A9, A4" in out
    assert "rank_1" in out


def test_rank_on_a_users_matrix(tmp_path, capsys):
    path = tmp_path / "m.csv"
    pd.DataFrame({"price": [300, 250, 400], "quality": [7, 5, 9]},
                 index=pd.Index(["a", "b", "c"], name="option")).to_csv(path)
    assert main(["rank", str(path), "--types", "cost,benefit", "--weights", "equal"]) == 0
    out = capsys.readouterr().out
    result = sg.vikor(pd.read_csv(path, index_col=0), [0.5, 0.5], types=["cost", "benefit"])
    assert f"ranking (by Q): {', '.join(result.ranking)}" in out


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["rank", "--help"]])
def test_help_everywhere(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    assert "usage: segment" in capsys.readouterr().out


def test_python_dash_m_and_console_script():
    out = subprocess.run([sys.executable, "-m", "segment", "rank"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "compromise set: A6, A9" in out.stdout


# -- issue 14: every user error exits 2 with one line; the flags the messages advise --


def _run(argv, capsys):
    """main() as the shell sees it: the exit status and stderr's lines."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    return code, err


def _errors(err):
    return [line for line in err if "error" in line or "Traceback" in line]


@pytest.fixture
def user_files(tmp_path):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    (tmp_path / "text.csv").write_text("alt,c1,c2\nA,1,2\nB,x,3\nC,2,2\n")
    (tmp_path / "quoted.csv").write_text('alt,c1,c2\nA,"1,5",2\nB,2,3\nC,2,2\n')
    (tmp_path / "dup.csv").write_text("alt,c1,c2\nA,1,2\nA,2,3\nC,2,2\n")
    (tmp_path / "allbad.csv").write_text(
        "contract_id,customer_id,date_installed\n1,2,notadate\n3,4,never\n")
    return tmp_path


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "--out", "afile", "--n-contracts", "300"], "--out afile is an existing file"),
        (["run", "allbad.csv"], "no contract is left after cleaning"),
        (["run", "--n-init", "0"], "--n-init: must be >= 1, got 0"),
        (["run", "--seed", "-1"], "--seed: must be between 0 and 4294967295, got -1"),
        (["run", "--k", "3,3"], "repeats [3]"),
        (["run", "--n-contracts", "0"], "--n-contracts: must be >= 1, got 0"),
        (["run", "--sep", ";;"], "--sep: must be one character"),
        (["run", "adir"], "adir is a directory"),
        (["rank", "adir"], "adir is a directory"),
        (["rank", "text.csv"], "criterion 'c1' has a value that is not a number, 'x' for "
                               "alternative 'B'"),
        (["rank", "quoted.csv"], "'1,5' for alternative 'A' (a decimal comma? pass --decimal ,)"),
        (["rank", "dup.csv"], "names alternatives more than once: ['A']"),
        (["run", "--region-map", "nothere.json"], "--region-map file nothere.json does not exist"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_every_user_error_exits_2_with_one_line(argv, message, user_files, capsys, monkeypatch):
    monkeypatch.chdir(user_files)
    code, err = _run(argv, capsys)
    assert code == 2
    assert len(_errors(err)) == 1, err
    assert message in err[-1], err[-1]


def test_out_pointing_at_a_file_is_refused_before_the_work(user_files, capsys, monkeypatch):
    monkeypatch.chdir(user_files)
    code, err = _run(["run", "--out", "afile"], capsys)  # 88,390 contracts if it went on
    assert code == 2 and not any(line.startswith("[1/5]") for line in err)


def test_argparse_errors_are_one_line_in_a_real_process(tmp_path):
    done = subprocess.run([sys.executable, "-m", "segment", "run", "--seed", "-1"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "usage" not in done.stderr


def test_european_csv_through_the_flags_equals_the_plain_csv(tmp_path, capsys):
    raw = sg.datasets.make_contracts(1500, random_state=4)
    raw.loc[raw.index[:3], "location"] = "Évora"  # an accent, for the encoding
    raw.to_csv(tmp_path / "plain.csv", index=False)
    euro = raw.copy()
    for c in euro.columns:
        if pd.api.types.is_datetime64_any_dtype(euro[c]):
            euro[c] = euro[c].dt.strftime("%d/%m/%Y")
    euro.to_csv(tmp_path / "euro.csv", sep=";", decimal=",", index=False, encoding="latin-1")
    common = ["--k", "2-3", "--n-init", "1"]
    assert main(["run", str(tmp_path / "plain.csv"), *common, "--out", str(tmp_path / "a")]) == 0
    code, err = _run(["run", str(tmp_path / "euro.csv"), *common, "--out", str(tmp_path / "e")],
                     capsys)
    assert code == 2 and "--encoding latin-1" in err[-1]  # the advice names the flag
    assert main(["run", str(tmp_path / "euro.csv"), *common, "--out", str(tmp_path / "b"),
                 "--sep", ";", "--decimal", ",", "--encoding", "latin-1",
                 "--date-format", "%d/%m/%Y"]) == 0
    a = pd.read_csv(tmp_path / "a" / "k_table.csv", index_col="k")
    b = pd.read_csv(tmp_path / "b" / "k_table.csv", index_col="k")
    pd.testing.assert_frame_equal(a.drop(columns="seconds"), b.drop(columns="seconds"))


def test_sheet_by_name_or_position_and_region_map(tmp_path, capsys):
    raw = sg.datasets.make_contracts(2000, random_state=5)
    raw.loc[raw.index[:40], "location"] = "Vigo"
    with pd.ExcelWriter(tmp_path / "years.xlsx") as xl:
        raw.iloc[:1000].to_excel(xl, sheet_name="2021", index=False)
        raw.iloc[1000:].to_excel(xl, sheet_name="2022", index=False)
    (tmp_path / "vigo.json").write_text(json.dumps({"Vigo": "north"}))
    common = [str(tmp_path / "years.xlsx"), "--k", "2-3", "--n-init", "1"]
    code, err = _run(["run", *common, "--sheet", "2021", "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and "--region-map MAP.json" in err[-1]  # Vigo is in the first sheet
    for sheet, out in [("2022", "a"), ("1", "b")]:  # a name, then a position
        assert main(["run", *common, "--sheet", sheet, "--out", str(tmp_path / out)]) == 0
        assert "years.xlsx: 1000 rows read" in capsys.readouterr().out
    assert main(["run", *common, "--sheet", "2021", "--region-map", str(tmp_path / "vigo.json"),
                 "--out", str(tmp_path / "c")]) == 0
    code, err = _run(["run", *common, "--sheet", "2099"], capsys)
    assert code == 2 and "its sheets are ['2021', '2022']; pass --sheet NAME" in err[-1]


def test_rank_reads_a_european_matrix(tmp_path, capsys):
    (tmp_path / "m.csv").write_text("alt;c1;c2\nA;1,5;2\nB;2;3\nC;2,25;2\n")
    assert main(["rank", str(tmp_path / "m.csv"), "--sep", ";", "--decimal", ","]) == 0
    out = capsys.readouterr().out
    expected = sg.vikor(pd.DataFrame({"c1": [1.5, 2, 2.25], "c2": [2, 3, 2]},
                                     index=["A", "B", "C"]),
                        sg.entropy_weights([[1.5, 2], [2, 3], [2.25, 2]]))
    assert f"ranking (by Q): {', '.join(expected.ranking)}" in out
