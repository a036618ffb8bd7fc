"""The public names the API reference covers, read from ``__all__`` at build time.

``public_names()`` is also what tests/test_docs_api.py checks, so the site and
the test agree on what "public" means without building the docs.
"""

from __future__ import annotations

import importlib
from pathlib import Path

#: (module whose ``__all__`` is documented, what its page says above the list)
MODULES = (
    ("segment", "Everything a user calls: clustering, profiles, decisions, data."),
    ("segment.plotting", "Plots with matplotlib (the optional extra ``plot``)."),
    ("segment.datasets", "The data sets segment ships and the synthetic data generators."),
    ("segment.dask", "The same methods on Dask collections (the optional extra ``dask``)."),
)

#: names in ``segment.__all__`` that are not functions or classes of their own
SKIP = {"__version__", "datasets", "plotting"}


def public_names(module_name):
    """The documented names of ``module_name``: its ``__all__`` without `SKIP`."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:  # an optional module whose extra is not installed
        return []
    names = [n for n in getattr(module, "__all__", []) if n not in SKIP]
    return list(dict.fromkeys(names))  # a name listed twice gets one entry


def constant_doc(module_name, name):
    """The ``#:`` comment above ``name = ...`` where the constant is defined, or ''.

    Read from the source of ``module_name`` and its imported submodules (plain
    text, so the API test needs no Sphinx).
    """
    import inspect
    import re
    import sys

    obj = getattr(importlib.import_module(module_name), name)
    pattern = re.compile(rf"((?:^#:.*\n)+)^{re.escape(name)}\s*[:=]", re.M)
    for modname in sorted(sys.modules):
        if not (modname == module_name or modname.startswith(module_name + ".")):
            continue
        if getattr(sys.modules[modname], name, None) is not obj:
            continue
        try:
            source = inspect.getsource(sys.modules[modname])
        except (OSError, TypeError):  # a C extension or a module without source
            continue
        match = pattern.search(source)
        if match:
            lines = match.group(1).splitlines()
            return " ".join(line[2:].strip() for line in lines).strip()
    return ""


def write_api_lists(out_dir):
    """Write one API page (``<module>.rst``, an autosummary list) per module into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for module_name, blurb in MODULES:
        names = public_names(module_name)
        lines = [
            module_name,
            "=" * len(module_name),
            "",
            f".. module:: {module_name}",
            "",
            blurb,
            "",
        ]
        if not names:
            lines += ["Not installed where these pages were built.", ""]
        else:
            module = importlib.import_module(module_name)
            functions = [n for n in names if callable(getattr(module, n))]
            data = [n for n in names if n not in functions]
            lines += [".. autosummary::", "   :toctree: generated", "   :nosignatures:", ""]
            lines += [f"   {name}" for name in functions]
            for name in data:  # constants: documented inline, no page of their own
                value = repr(getattr(module, name))
                lines += [
                    "",
                    f".. data:: {name}",
                    f"   :value: {value}",
                    "",
                    f"   {constant_doc(module_name, name)}",
                ]
        text = "\n".join(lines) + "\n"
        path = out_dir / f"{module_name}.rst"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
