# Sourced by the benchmark scripts: checks the release build, builds the neutral Runtime
# API simulator from ../shared/bench (or BENCH_DIR) into a temporary folder, $work.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${BENCH_DIR:-../shared/bench}
[ -f "$bench/lambda-service-sim.c" ] || { echo "$0: no $bench/lambda-service-sim.c (set BENCH_DIR)" >&2; exit 2; }
[ -x .build/release/lambda-host ] || { echo "$0: run 'swift build -c release' first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/sim" "$bench/lambda-service-sim.c"
