#!/usr/bin/env bash
# Builds the fuzz targets and runs each for a bounded time.
#
#   fuzz/run.sh [SECONDS]     default 60 s per target
#
# Environment: FUZZ_TARGETS (default: all four), FUZZ_RUNS (upper bound of runs per
# target, default 50000000), FUZZ_JOBS (parallel processes per target, libFuzzer's -fork; default 1).
# Each run is reproducible in what it starts from: seed 1, the committed corpus
# (fuzz/corpus/<target>), plus fuzz/corpus-extra/<target> when fuzz/seed.sh made it.
# New interesting inputs go to fuzz/work/<target> (not committed). A crash, a hang
# (over 10 s), or an allocation over the limits is written to fuzz/artifacts/<target>/
# and makes the script fail, after every target has had its turn.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
read -r -a targets <<< "${FUZZ_TARGETS:-feed_parse dates article_file search_query}"
runs="${FUZZ_RUNS:-50000000}"
jobs="${FUZZ_JOBS:-1}"
export RUSTC_BOOTSTRAP=1 # cargo-fuzz passes nightly-only flags; stable rustc accepts them so

# -a: debug assertions on (integer overflow is a bug too). One build of every target
# when all run (cargo builds them in parallel), else one per target.
if [ -z "${FUZZ_TARGETS:-}" ]; then
    cargo fuzz build -a
else
    for target in "${targets[@]}"; do
        cargo fuzz build -a "$target"
    done
fi

# More than one job: libFuzzer's fork mode (its output stays on stderr).
parallel=()
if [ "$jobs" -gt 1 ]; then
    parallel=(-fork="$jobs")
fi

failed=()
for target in "${targets[@]}"; do
    mkdir -p "fuzz/work/$target"
    dirs=("fuzz/work/$target" "fuzz/corpus/$target")
    if [ -d "fuzz/corpus-extra/$target" ]; then
        dirs+=("fuzz/corpus-extra/$target")
    fi
    echo "fuzz: $target for ${seconds}s" >&2
    if ! cargo fuzz run -a "$target" "${dirs[@]}" -- \
        -max_total_time="$seconds" -runs="$runs" -seed=1 "${parallel[@]}" \
        -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 2> "fuzz/work/$target.log"; then
        failed+=("$target")
        tail -n 40 "fuzz/work/$target.log" >&2
    else
        grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done' "fuzz/work/$target.log" >&2 || true
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: FAILED: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz: ${targets[*]}: no failure in ${seconds}s each" >&2
