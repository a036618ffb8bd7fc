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


def _entry_points():
    return sorted(n for n in dir(_core) if not n.startswith("_") and callable(getattr(_core, n)))


def test_every_entry_point_is_typed_and_nothing_else():
    assert sorted(_stub_functions()) == _entry_points()


@pytest.mark.parametrize("name", _entry_points())
def test_stub_parameters_match_the_c_signature(name):
    stub = _stub_functions()[name]
    c_sig = inspect.signature(getattr(_core, name))
    args = stub.args.args
    defaults = [None] * (len(args) - len(stub.args.defaults)) + list(stub.args.defaults)
    stub_params = [(a.arg, None if d is None else ast.literal_eval(d)) for a, d in
                   zip(args, defaults, strict=True)]
    c_params = [(p.name, None if p.default is inspect.Parameter.empty else p.default)
                for p in c_sig.parameters.values()]
    assert stub_params == c_params


def test_the_stub_ships_with_the_package():
    # beside the extension wherever segment is imported from: the source tree
    # (editable install) or site-packages (CI's installed-wheel run)
    assert PYI.is_file(), f"{PYI} is missing: package-data must list _core.pyi"
