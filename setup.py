"""Build the C extension segment._core.

The kernels in csrc/ and the glue segment/_coremodule.c compile into one
extension module. OpenMP is used when a small compile-and-link probe succeeds;
set SEGMENT_NO_OPENMP=1 to build without it (the result is the same, on one
thread). -Werror lives in csrc/Makefile and CI, not here: users' compilers
differ. No -march=native: wheels must run on any x86-64 (hot loops use gcc
function multi-versioning instead). Compilers: gcc >= 8 or clang >= 10 (GNU C
vector extensions), or any C11 compiler through the portable path: set
SEGMENT_PORTABLE=1 (or use a compiler without __GNUC__); see csrc/seg_common.h.
"""

import glob
import os
import subprocess
import sys
import sysconfig
import tempfile

import numpy as np
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = "#include <omp.h>\nint main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }\n"


def openmp_flags():
    """Return (compile_args, link_args) for OpenMP, or ([], []) without it."""
    if os.environ.get("SEGMENT_NO_OPENMP", "") not in ("", "0"):
        print("segment: building without OpenMP (SEGMENT_NO_OPENMP is set)", file=sys.stderr)
        return [], []
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    cc = cc.split()
    flag = "-fopenmp"
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(PROBE)
        try:
            res = subprocess.run(
                [*cc, flag, src, "-o", os.path.join(tmp, "probe")],
                capture_output=True,
                timeout=120,
            )
            ok = res.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
    if ok:
        print(f"segment: building with OpenMP ({' '.join(cc)} {flag})", file=sys.stderr)
        return [flag], [flag]
    print("segment: OpenMP probe failed; building without OpenMP", file=sys.stderr)
    return [], []


omp_compile, omp_link = openmp_flags()
extra_compile = ["-std=c11", "-O3", "-fno-math-errno", "-fvisibility=hidden", *omp_compile]
macros = [("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")]
if os.environ.get("SEGMENT_PORTABLE", "") not in ("", "0"):
    print("segment: building the portable C11 path (SEGMENT_PORTABLE is set)", file=sys.stderr)
    macros.append(("SEG_PORTABLE", "1"))
if os.environ.get("SEGMENT_SANITIZE"):
    # For the reliability job: the Python suite against an ASan/UBSan build.
    san = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g", "-O1"]
    extra_compile += san
    omp_link += san

sources = sorted(glob.glob("csrc/*.c")) + ["segment/_coremodule.c"]
# A changed header rebuilds the extension; MANIFEST.in puts them in the sdist.
# The glue files are #included by segment/_coremodule.c.
depends = sorted(glob.glob("csrc/*.h")) + ["segment/_sparse_glue.c", "segment/_pls_glue.c"]

setup(
    ext_modules=[
        Extension(
            "segment._core",
            sources=sources,
            depends=depends,
            include_dirs=["csrc", np.get_include()],
            define_macros=macros,
            extra_compile_args=extra_compile,
            extra_link_args=omp_link,
        )
    ]
)
