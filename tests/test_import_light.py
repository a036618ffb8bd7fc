"""`import segment` stays light (issue 12, `segment run` under 6 s).

What a fresh interpreter has loaded after ``import segment`` (and after
``import segment.cli``, the command) is read from ``sys.modules`` in a
subprocess: matplotlib, scipy, scikit-learn and the survey half of segment
(Paper A: Likert answers, alpha, factor analysis, PLS, CFA, the survey
generator) load only when used. Not a timing test.
"""

import importlib
import json
import subprocess
import sys

import pytest

import segment

#: never loaded by `import segment` or `segment run`
HEAVY = ["matplotlib", "scipy", "sklearn"]
#: segment's modules that load on first use
LAZY = [
    "segment.plotting",
    "segment.factor",
    "segment.likert",
    "segment.pls",
    "segment.sem",
    "segment.survey",
    "segment.datasets.survey",
]


def _loaded_after(code: str) -> set:
    """The module names a fresh interpreter holds after running ``code``."""
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("code", ["import segment", "import segment.cli"])
def test_import_loads_neither_plots_nor_the_survey_half(code):
    loaded = _loaded_after(code)
    assert "segment" in loaded and "segment.cluster" in loaded
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert not heavy, f"{code!r} imported {heavy[:5]}"
    lazy = sorted(set(LAZY) & loaded)
    assert not lazy, f"{code!r} imported {lazy}"


def test_a_lazy_name_loads_its_module_on_first_use():
    loaded = _loaded_after("import segment\nsegment.pls_sem")
    assert "segment.pls" in loaded
    assert "segment.sem" not in loaded and "matplotlib" not in loaded
    assert "segment.datasets.survey" in _loaded_after(
        "import segment\nsegment.datasets.make_survey"
    )


@pytest.mark.parametrize(
    "package, names",
    [
        (segment, segment.__all__),
        (segment.datasets, segment.datasets.__all__),
    ],
    ids=["segment", "segment.datasets"],
)
def test_every_public_name_is_the_object_its_module_defines(package, names):
    for name in names:
        value = getattr(package, name)
        assert name in dir(package), name
        if name == "__version__":
            continue
        if isinstance(value, type(segment)):  # a submodule: segment.plotting, .datasets
            assert value is importlib.import_module(f"{package.__name__}.{name}")
            continue
        if not hasattr(value, "__module__"):  # a constant: PAPER_B_FEATURES
            continue
        home = importlib.import_module(value.__module__)
        assert getattr(home, name) is value, name


def test_star_import_and_unknown_names():
    namespace = {}
    exec("from segment import *", namespace)
    assert set(segment.__all__) <= set(namespace)
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        segment.no_such_name  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        segment.datasets.no_such_name  # noqa: B018
    with pytest.raises(ImportError):
        exec("from segment import no_such_name", {})
