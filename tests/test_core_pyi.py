"""segment/_core.pyi types every entry point of the C glue, with the
parameters the C functions declare (their __text_signature__)."""

import ast
import inspect
from pathlib import Path

import pytest

from segment import _core

PYI = Path(_core.__file__).with_name("_core.pyi")


def _stub_functions():
    tree = ast.parse(PYI.read_text())
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _stub_named_tuples():
    """The stub's NamedTuple classes: {name: [field names in order]}."""
    tree = ast.parse(PYI.read_text())
    return {
        node.name: [f.target.id for f in node.body if isinstance(f, ast.AnnAssign)]
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(isinstance(b, ast.Name) and b.id == "NamedTuple" for b in node.bases)
    }


def _entry_points():
    return sorted(
        n for n in dir(_core) if not n.startswith("_") and inspect.isbuiltin(getattr(_core, n))
    )


def _result_types():
    return sorted(
        n
        for n in dir(_core)
        if isinstance(getattr(_core, n), type) and issubclass(getattr(_core, n), tuple)
    )


def test_every_entry_point_is_typed_and_nothing_else():
    assert sorted(_stub_functions()) == _entry_points()


@pytest.mark.parametrize("name", _entry_points())
def test_stub_parameters_match_the_c_signature(name):
    stub = _stub_functions()[name]
    c_sig = inspect.signature(getattr(_core, name))
    args = stub.args.args
    defaults = [None] * (len(args) - len(stub.args.defaults)) + list(stub.args.defaults)
    stub_params = [
        (a.arg, None if d is None else ast.literal_eval(d))
        for a, d in zip(args, defaults, strict=True)
    ]
    c_params = [
        (p.name, None if p.default is inspect.Parameter.empty else p.default)
        for p in c_sig.parameters.values()
    ]
    assert stub_params == c_params


def test_the_stub_ships_with_the_package():
    # beside the extension wherever segment is imported from: the source tree
    # (editable install) or site-packages (CI's installed-wheel run)
    assert PYI.is_file(), f"{PYI} is missing: package-data must list _core.pyi"


def test_every_result_type_is_typed_with_its_fields():
    # PyStructSequence's __match_args__ lists its fields in tuple order
    stubs = _stub_named_tuples()
    assert sorted(stubs) == _result_types()
    for name in _result_types():
        assert list(getattr(_core, name).__match_args__) == stubs[name], name


def test_named_results_are_tuples_with_field_access():
    import pickle

    import numpy as np

    X = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0]])
    res = _core.kmeans_fit_runs(X, 2, seeds=np.array([1, 2], dtype=np.uint64))
    assert isinstance(res, tuple) and type(res).__name__ == "KMeansRuns"
    labels, centers, inertia, n_iter, converged, best = res  # positional use still works
    assert res.labels is labels and res.centers is centers and res.best_run == best
    assert res.inertia == inertia == 1.0 and res.converged is converged is True
    assert "nearest final centre" in type(res).labels.__doc__  # the field docs
    again = pickle.loads(pickle.dumps(res))  # Dask ships chunk results between processes
    assert type(again) is type(res) and np.array_equal(again.labels, labels)
    step = _core.kmeans_step(X, centers, n_far=1)  # labels only with return_labels
    assert len(step) == 9 and step.labels is None and step.sse == pytest.approx(inertia)
