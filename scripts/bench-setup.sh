# Sourced by the benchmark scripts: checks the release build and builds, into a temporary
# folder $work (removed at exit), the project's own Runtime API simulator ($work/sim, from
# Tests/Fixtures/lambda-service-sim.c) and floor client ($work/floor, from
# scripts/floor-client.c), so that every script runs from a clone alone.
#
# When the team's shared bench folder is there (../shared/bench, or BENCH_DIR), its
# neutral floor client is built too, as $work/shared-floor, and $shared_floor is 1:
# scripts/bench.sh and scripts/starts.sh then print it beside ours. Set
# LAMBDA_HOST_NO_SHARED_BENCH=1 to leave it out (to check a clone's run).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .build/release/lambda-host ] || { echo "$0: run 'swift build -c release' first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/sim" Tests/Fixtures/lambda-service-sim.c
cc -O2 -o "$work/floor" scripts/floor-client.c
shared_floor=0
shared_bench=${BENCH_DIR:-../shared/bench}
if [ "${LAMBDA_HOST_NO_SHARED_BENCH:-0}" != 1 ] && [ -f "$shared_bench/floor-client.c" ]; then
    cc -O2 -o "$work/shared-floor" "$shared_bench/floor-client.c"
    shared_floor=1
fi
