#!/usr/bin/env bash
# Build steps of CI (issue 15), given an already-built venv at .venv:
#   1. the sdist and a wheel built from it (python -m build); the wheel is
#      installed with its test extra in a fresh venv and the pytest suite runs
#      against the installed package, from a copy of the sdist's tests/;
#   2. clang: the C tests (ASan + UBSan, OpenMP from libomp) and the extension
#      built with CC=clang, with the _core contract tests and tests/test_cluster.py;
#   3. the extension built with SEGMENT_NO_OPENMP=1, with the same tests;
#   4. the portable C11 path: make -C csrc test-portable.
# Each step prints its time. clang and libomp-dev come from Debian's packages
# when missing (as root, as .ci/reliability.sh does); without them step 2
# fails. About 10 minutes on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || { echo "builds.sh: no venv at .venv (build it first)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)
say() { printf '\n== %s\n' "$*"; }
took() { echo "-- $1 took $(( $(date +%s) - t0 )) s"; t0=$(date +%s); }

# The _core contract tests and the clustering suite: the subset run against
# the clang and the no-OpenMP builds.
SUBSET="tests/test_core_cluster.py tests/test_core_mcdm.py tests/test_core_kmeans_step.py
        tests/test_cluster.py"

# build_ext NAME ENV...: builds segment._core in a copy of the tree at
# $tmp/NAME with the given environment, keeping the log at $tmp/NAME.log.
build_ext() {
    local name="$1"; shift
    mkdir -p "$tmp/$name"
    tar -C "$ROOT" --exclude=./.venv --exclude=./.git --exclude=./build --exclude=./dist \
        --exclude=./csrc/build --exclude='*.so' --exclude=__pycache__ -cf - . | tar -C "$tmp/$name" -xf -
    (cd "$tmp/$name" && env "$@" "$PY" setup.py build_ext --inplace -q) >"$tmp/$name.log" 2>&1 \
        || { tail -n 30 "$tmp/$name.log" >&2; exit 1; }
}

# run_subset NAME: the SUBSET against the build in $tmp/NAME (checked to be the one imported).
run_subset() {
    (cd "$tmp/$1" && PYTHONPATH="$tmp/$1" "$PY" -c "import segment, sys; f = segment.__file__; \
        sys.exit(0 if f.startswith('$tmp/$1') else 'not the build under test: ' + f)" &&
     PYTHONPATH="$tmp/$1" "$PY" -m pytest -q -p no:cacheprovider -o addopts="" $SUBSET)
}

# ---- 1. sdist, wheel from the sdist, the suite against the installed wheel ----
say "python -m build: the sdist, then a wheel built from it"
"$PY" -m build -o "$tmp/dist" . >"$tmp/build.log" 2>&1 || { tail -n 40 "$tmp/build.log" >&2; exit 1; }
sdist=("$tmp"/dist/*.tar.gz)
wheel=("$tmp"/dist/*.whl)
ls -l "$tmp/dist"
tar tzf "${sdist[0]}" >"$tmp/sdist.txt"
for f in csrc/seg_common.h csrc/seg_kmeans.h csrc/Makefile csrc/tests/seg_test.h \
         tests/conftest.py MANIFEST.in; do
    grep -q "^[^/]*/$f\$" "$tmp/sdist.txt" || { echo "the sdist lacks $f" >&2; exit 1; }
done
took "sdist + wheel"

say "the wheel in a fresh venv, with its test extra"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q "${wheel[0]}[test]"
took "install of the wheel"

say "pytest against the installed wheel (the sdist's tests/, outside the source tree)"
mkdir "$tmp/suite"
tar -C "$tmp/suite" --strip-components=1 -xzf "${sdist[0]}" --wildcards '*/tests' '*/notebooks'
(cd "$tmp/suite" && "$tmp/venv/bin/python" -c "import segment, segment._core, sys; \
    f = segment.__file__; print('segment from', f); \
    sys.exit(0 if '/site-packages/' in f else 'segment is not the installed one: ' + f)")
(cd "$tmp/suite" && "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider tests)
took "suite against the wheel"

# ---- 2. clang ----------------------------------------------------------------
apt_install() {  # Debian packages, as root; quiet; failure is checked by the caller
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing $* (apt-get)"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@") \
            >/dev/null 2>&1 || true
    fi
}
printf '#include <omp.h>\nint main(void) { return omp_get_max_threads() < 1; }\n' >"$tmp/omp.c"
command -v clang >/dev/null 2>&1 || apt_install clang libomp-dev
clang -fopenmp "$tmp/omp.c" -o "$tmp/omp" 2>/dev/null || apt_install libomp-dev
clang -fopenmp "$tmp/omp.c" -o "$tmp/omp" \
    || { echo "builds.sh: clang with OpenMP is missing (apt-get install clang libomp-dev)" >&2; exit 1; }
clang --version | head -n 1

say "C core with clang: make -C csrc test CC=clang (ASan + UBSan, OpenMP, -Werror)"
make -s -C csrc test CC=clang BUILD=build/clang
took "C tests with clang"

say "segment._core built with CC=clang"
build_ext clang CC=clang
grep "segment: building" "$tmp/clang.log"
run_subset clang
took "clang extension + subset"

# ---- 3. without OpenMP -------------------------------------------------------
say "segment._core built with SEGMENT_NO_OPENMP=1"
build_ext noomp SEGMENT_NO_OPENMP=1
grep -q "segment: building without OpenMP (SEGMENT_NO_OPENMP is set)" "$tmp/noomp.log" \
    || { echo "setup.py did not print its OpenMP decision" >&2; cat "$tmp/noomp.log" >&2; exit 1; }
(cd "$tmp/noomp" && "$PY" -c "import sys; sys.path.insert(0, '.'); from segment import _core; \
    sys.exit('built with OpenMP' if _core.has_openmp() else 0)")
run_subset noomp
took "no-OpenMP extension + subset"

# ---- 4. the portable C11 path ------------------------------------------------
say "portable C11 path: make -C csrc test-portable (-std=c11 -pedantic-errors -DSEG_PORTABLE)"
make -s -C csrc test-portable
took "portable C tests"
