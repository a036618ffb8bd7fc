"""dask is optional: `import segment` never imports it, and `import segment.dask`
without it says how to install it. Needs no dask (runs without the extra)."""

import subprocess
import sys


def test_import_segment_does_not_import_dask():
    code = "import sys, segment; assert 'dask' not in sys.modules, 'dask imported'; " \
           "assert 'segment.dask' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_dask_says_how_to_install():
    code = (
        "import sys; sys.modules['dask'] = None\n"
        "try:\n    import segment.dask\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "segment-kit[dask]"' in out.stdout
