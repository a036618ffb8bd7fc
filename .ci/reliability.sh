#!/usr/bin/env bash
# Reliability steps of CI (RELIABILITY.md), given an already-built venv at .venv:
#   1. the fuzz harness over the C kernels: replay of every saved input, then
#      FUZZ_TIME seconds (default 90) of libFuzzer (clang, ASan + UBSan);
#   2. the C tests under valgrind memcheck, built without OpenMP;
#   3. the Python tests against an ASan + UBSan build of the extension, built
#      in a temporary copy of the tree (the normal build is not touched).
# clang and valgrind come from Debian's packages; they are installed when
# missing and apt-get can (as root); otherwise that step is skipped with a
# loud message and the script fails at the end unless RELIABILITY_ALLOW_SKIP=1.
# About 5 minutes on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
FUZZ_TIME="${FUZZ_TIME:-90}"
start=$(date +%s)
skipped=()

say() { printf '\n== %s\n' "$*"; }
loud() { printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!! SKIPPED: %s\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' "$*" >&2; }

need() {  # need COMMAND PACKAGE: install the Debian package when the command is missing
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing $2 (apt-get)"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2") \
            >/dev/null 2>&1 || true
    fi
    command -v "$1" >/dev/null 2>&1
}

[ -x "$PY" ] || { echo "reliability.sh: no venv at .venv (build it first)" >&2; exit 1; }

# ---- 1. fuzzing -------------------------------------------------------------
if need clang clang; then
    say "fuzz: replay of csrc/fuzz/corpus (every input ever saved)"
    make -s -C csrc fuzz-regress 2>&1 | tail -n 3
    say "fuzz: ${FUZZ_TIME} s of libFuzzer over every kernel (ASan + UBSan)"
    log="$(mktemp)"
    if ! nice -n 10 make -s -C csrc fuzz FUZZ_TIME="$FUZZ_TIME" >"$log" 2>&1; then
        grep -E "contract violated|ERROR|SUMMARY|Test unit written|Base64" "$log" >&2 || true
        tail -n 40 "$log" >&2
        echo "fuzz: a crash; the input is in csrc/build/fuzz-artifacts/ (add it to" \
             "csrc/fuzz/corpus/ with its fix)" >&2
        exit 1
    fi
    grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|stat::new_units_added" "$log"
    rm -f "$log"
else
    loud "fuzzing: clang is not installed and could not be installed (apt-get install clang)"
    skipped+=("fuzz")
fi

# ---- 2. valgrind ------------------------------------------------------------
if need valgrind valgrind; then
    say "valgrind memcheck of the C tests (no OpenMP, no sanitizers)"
    nice -n 10 make -s -C csrc valgrind
else
    loud "valgrind is not installed and could not be installed (apt-get install valgrind)"
    skipped+=("valgrind")
fi

# ---- 3. the Python tests against an ASan build ------------------------------
libasan="$(gcc -print-file-name=libasan.so 2>/dev/null || true)"
# libstdc++ preloaded too: else ASan's __cxa_throw interceptor finds no real
# symbol and aborts the first C++ exception (matplotlib's ft2font throws one).
libstdcxx="$(gcc -print-file-name=libstdc++.so 2>/dev/null || true)"
if [ -n "$libasan" ] && [ -e "$libasan" ]; then
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    say "ASan + UBSan build of segment._core in $tmp"
    tar -C "$ROOT" --exclude=./.venv --exclude=./.git --exclude=./build \
        --exclude=./csrc/build --exclude='*.so' --exclude=__pycache__ -cf - . | tar -C "$tmp" -xf -
    (cd "$tmp" && SEGMENT_SANITIZE=1 nice -n 10 "$PY" setup.py build_ext --inplace -q) \
        >"$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log" >&2; exit 1; }
    export LD_PRELOAD="$libasan${libstdcxx:+ $libstdcxx}"
    export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:abort_on_error=1"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
    export PYTHONPATH="$tmp"
    (cd "$tmp" && "$PY" -c "import segment, sys; f = segment.__file__; \
        sys.exit(0 if f.startswith('$tmp') else 'the ASan build is not the one imported: ' + f)")
    say "pytest against the ASan build"
    # Ctrl-C latency (under 1 s) is a timing test, not what ASan checks:
    # test_interrupt_frees_and_recovers.py covers Ctrl-C under ASan instead.
    (cd "$tmp" && nice -n 10 "$PY" -m pytest -q -p no:cacheprovider -o addopts="" \
        tests/test_core_cluster.py tests/test_core_mcdm.py tests/test_cluster.py \
        tests/test_decision.py tests/test_hostile.py tests/test_properties.py \
        tests/test_interrupt_frees_and_recovers.py tests/test_threads_fork.py \
        --deselect tests/test_core_mcdm.py::test_ctrl_c_stops_the_sampler)
    unset LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS PYTHONPATH
else
    loud "ASan Python run: gcc's libasan.so was not found"
    skipped+=("asan-python")
fi

say "reliability took $(( $(date +%s) - start )) s"
if [ "${#skipped[@]}" -gt 0 ]; then
    loud "steps skipped: ${skipped[*]}"
    [ "${RELIABILITY_ALLOW_SKIP:-0}" = 1 ] || exit 1
fi
