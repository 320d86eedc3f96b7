#!/usr/bin/env bash
# Compares lambda-host with the floor client (scripts/floor-client.c) under the Runtime API
# simulator (Tests/Fixtures/lambda-service-sim.c), in one session, and prints each run,
# the medians and the ratios. With ../shared/bench (or BENCH_DIR) beside the clone, the
# shared neutral floor client runs too, as shared-floor, beside ours.
#
#   scripts/bench.sh [ROUNDS] [COUNT]      (defaults: 5 rounds of 20000 invocations)
#
# Needs: swift build -c release, cc and unzip.
# The echo-layer and hello-layer clients run the deployed artifacts: the layer and function
# zips that `lambda-host package` builds, unzipped into opt/ and task/ as Lambda would,
# with LD_LIBRARY_PATH empty.
rounds=${1:-5}
count=${2:-20000}
source "$(dirname "$0")/bench-setup.sh"
printf '{"name":"World"}' > "$work/hello.json"
release=$PWD/.build/release
.build/release/lambda-host package layer --output "$work/layer.zip" > /dev/null
.build/release/lambda-host package function --plugin "$release/libEcho.so" --output "$work/echo.zip" > /dev/null
.build/release/lambda-host package function --plugin "$release/libHello.so" --output "$work/hello.zip" > /dev/null
unzip -q "$work/layer.zip" -d "$work/opt"
unzip -q "$work/echo.zip" -d "$work/task"
unzip -q "$work/hello.zip" -d "$work/task"

run() {  # name, then the simulator's arguments (without --count)
    local name=$1; shift
    local line
    # A short run of the same client first: a start measured right after another client's
    # 20,000-invocation run comes out several milliseconds slower here, whatever the
    # client, and more so for a larger process. Every client gets the same treatment.
    "$work/sim" --count 200 "$@" > /dev/null
    line=$("$work/sim" --count "$count" "$@")
    echo "$name $line"
    echo "$name $line" >> "$work/all"
}

for round in $(seq "$rounds"); do
    run floor --payload 100 --echo -- "$work/floor"
    if [ "$shared_floor" = 1 ]; then run shared-floor --payload 100 --echo -- "$work/shared-floor"; fi
    _HANDLER=libEcho.so LAMBDA_TASK_ROOT=$release run echo-c --payload 100 --echo -- ./bootstrap
    _HANDLER=libHello.so LAMBDA_TASK_ROOT=$release run hello-swift --event-file "$work/hello.json" -- ./bootstrap
    _HANDLER=libEcho.so LAMBDA_TASK_ROOT=$work/task LD_LIBRARY_PATH= \
        run echo-layer --payload 100 --echo -- "$work/opt/bootstrap"
    _HANDLER=libHello.so LAMBDA_TASK_ROOT=$work/task LD_LIBRARY_PATH= \
        run hello-layer --event-file "$work/hello.json" -- "$work/opt/bootstrap"
done

median() {  # name field
    grep "^$1 " "$work/all" | grep -o "$2=[0-9.]*" | cut -d= -f2 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
echo
printf '%-12s %9s %9s %9s %9s %11s   %s\n' client init_ms rate p50_us p99_us maxrss_kb "ratios to floor (init, rate)"
names="floor echo-c hello-swift echo-layer hello-layer"
[ "$shared_floor" = 1 ] && names="floor shared-floor echo-c hello-swift echo-layer hello-layer"
for name in $names; do
    init=$(median "$name" init_ms); rate=$(median "$name" rate); p50=$(median "$name" p50_us)
    p99=$(median "$name" p99_us); rss=$(median "$name" child_maxrss_kb)
    finit=$(median floor init_ms); frate=$(median floor rate)
    printf '%-12s %9s %9s %9s %9s %11s   %sx, %sx\n' "$name" "$init" "$rate" "$p50" "$p99" "$rss" \
        "$(awk -v a="$init" -v b="$finit" 'BEGIN {printf "%.2f", a / b}')" \
        "$(awk -v a="$rate" -v b="$frate" 'BEGIN {printf "%.2f", a / b}')"
done
statuses=$(grep -c 'status=ok' "$work/all" || true)
echo "runs with status=ok: $statuses of $((rounds * $(wc -w <<< "$names")))"
