"""Every public name has an API page and a docstring (issue 16), without building the docs.

The API pages are generated from the modules' ``__all__`` by ``docs/_api_lists.py``
(called from docs/conf.py). These tests run that generator into a temporary
directory and check, against ``__all__`` read here independently, that every
public name of ``segment``, ``segment.plotting``, ``segment.datasets`` and
``segment.dask`` is listed on a page the API index links to, and that each has
a docstring of its own (not one inherited from ``object`` or a builtin).
"""

import importlib
import inspect
import re
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
MODULES = ["segment", "segment.plotting", "segment.datasets", "segment.dask"]
NOT_PAGES = {"__version__", "datasets", "plotting"}  # a string and two modules with pages

pytestmark = pytest.mark.skipif(
    not (DOCS / "_api_lists.py").exists(), reason="docs/ is not in this checkout (an sdist)"
)


@pytest.fixture(scope="module")
def api_lists():
    sys.path.insert(0, str(DOCS))
    try:
        yield importlib.import_module("_api_lists")
    finally:
        sys.path.remove(str(DOCS))


def _public(module_name):
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        pytest.skip(f"{module_name} is not importable here (its optional extra is missing)")
    return module, [n for n in module.__all__ if n not in NOT_PAGES]


def _listed(page_text):
    """Names in the page's autosummary list and its ``.. data::`` entries."""
    names = set(re.findall(r"^   (\w+)$", page_text, flags=re.M))
    names |= set(re.findall(r"^\.\. data:: (\w+)$", page_text, flags=re.M))
    return names


@pytest.fixture(scope="module")
def pages(api_lists, tmp_path_factory):
    out = tmp_path_factory.mktemp("api")
    api_lists.write_api_lists(out)
    return out


def test_api_index_links_every_module_page(api_lists):
    index = (DOCS / "api" / "index.rst").read_text()
    covered = {name for name, _ in api_lists.MODULES}
    assert covered == set(MODULES)
    for name in MODULES:
        assert re.search(rf"^   {re.escape(name)}$", index, flags=re.M), name


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_name_has_a_page(pages, module_name):
    _, names = _public(module_name)
    assert names, f"{module_name}.__all__ is empty"
    text = (pages / f"{module_name}.rst").read_text()
    assert "   :toctree: generated" in text  # one page per function or class
    missing = sorted(set(names) - _listed(text))
    assert not missing, f"public names of {module_name} with no API page: {missing}"


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_name_has_a_docstring(api_lists, module_name):
    module, names = _public(module_name)
    undocumented = []
    for name in names:
        obj = getattr(module, name)
        if callable(obj):
            doc = obj.__doc__ if (inspect.isclass(obj) or inspect.isroutine(obj)) else None
            inherited = inspect.isclass(obj) and any(
                doc is getattr(base, "__doc__", None) for base in obj.__mro__[1:]
            )
            if not doc or not doc.strip() or inherited:
                undocumented.append(name)
        elif not api_lists.constant_doc(module_name, name):
            undocumented.append(name)  # a constant needs a ``#:`` comment where defined
    assert not undocumented, f"public names of {module_name} without a docstring: {undocumented}"


def test_a_name_without_a_docstring_is_caught(api_lists, monkeypatch):
    """The checks above do fail: a new undocumented export is reported."""
    import segment

    def undocumented_function():
        pass

    monkeypatch.setattr(segment, "undocumented_function", undocumented_function, raising=False)
    monkeypatch.setattr(segment, "__all__", [*segment.__all__, "undocumented_function"])
    with pytest.raises(AssertionError, match="undocumented_function"):
        test_every_public_name_has_a_docstring(api_lists, "segment")
    # and the generator gives it a page, so only the docstring check fails
    assert "undocumented_function" in api_lists.public_names("segment")
