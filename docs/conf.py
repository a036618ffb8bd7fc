"""Sphinx configuration for segment's documentation site.

The API lists are generated here from ``segment.__all__`` and the ``__all__`` of
``segment.plotting``, ``segment.datasets`` and ``segment.dask`` (see
``write_api_lists``), so a name added to ``__all__`` gets its page without
editing the docs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _api_lists import write_api_lists  # noqa: E402

import segment  # noqa: E402

project = "segment"
author = "The segment developers"
copyright = "The segment developers"
release = segment.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    "myst_parser",
]

exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
]
html_theme = "pydata_sphinx_theme"
html_title = f"segment {release}"
html_static_path = ["_static"]
html_css_files = ["segment.css"]
html_sidebars = {"index": [], "performance": [], "references": []}  # no section navigation
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}

autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

plot_include_source = True
plot_working_directory = str(HERE.parent)  # the plots read benchmarks/results
plot_html_show_source_link = False
plot_html_show_formats = False

# The docstrings' own examples run under pytest --doctest-modules; the doctest
# builder runs the ``.. doctest::`` blocks of the guides and the front page.
doctest_test_doctest_blocks = ""
doctest_global_setup = """
import numpy as np
import pandas as pd
import segment as sg
"""

sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
}

write_api_lists(HERE / "api")

#: Docstrings of modules that other work is editing, made valid reST here instead
#: (reported upstream): an unescaped ``***`` in CleaningReport (segment/contracts.py)
#: and a bare ``labels_`` (a reST reference) in KMeans.fit_predict and
#: segment.dask.KMeans.fit_predict.
DOCSTRING_FIXES = {
    "user:***@host": r"user:\*\*\*@host",
    "return labels_.": "return ``labels_``.",
    "return labels_ (a lazy": "return ``labels_`` (a lazy",
}


def _fix_docstring(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        for bad, good in DOCSTRING_FIXES.items():
            if bad in line:
                lines[i] = line.replace(bad, good)


def setup(app):
    app.connect("autodoc-process-docstring", _fix_docstring, priority=100)
