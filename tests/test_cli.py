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
