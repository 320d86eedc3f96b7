#!/usr/bin/env bash
# Cold starts side by side: ROUNDS alternating starts of each client under the neutral
# Runtime API simulator, and for each the median start (exec to the first GET /next, the
# simulator's init_ms), the median peak RSS, and both as ratios to the bare C floor client
# of the same run. Our clients run the deployed artifacts: the layer and function zips
# that `lambda-host package` builds, unzipped into opt/ and task/ as Lambda would, with
# LD_LIBRARY_PATH empty.
#
#   scripts/starts.sh [ROUNDS] [NAME=COMMAND ...]      (default: 21 rounds)
#
# Each NAME=COMMAND adds a peer built elsewhere (aws-lambda-go's echo, swift-aws-lambda-
# runtime's Hello): COMMAND is run as the runtime, with the Hello event
# ({"name":"World"}). Clients:
#   floor   the project's bare C client (scripts/floor-client.c)
#   shared-floor  the shared neutral floor client, when ../shared/bench (or BENCH_DIR) is there
#   echo    libEcho.so (C)
#   hello   libHello.so (Swift, on the LambdaPlugin SDK)
#   ffi     libCalc.so:mul_i64(a:i64,b:i64)->i64, a plain C function called through libffi
#
# Needs: swift build -c release, cc and unzip.
rounds=${1:-21}
shift || true
source "$(dirname "$0")/bench-setup.sh"
printf '{"name":"World"}' > "$work/hello.json"
printf '{"a":6,"b":7}' > "$work/calc.json"
release=$PWD/.build/release
.build/release/lambda-host package layer --output "$work/layer.zip" > /dev/null
for plugin in Echo Hello Calc; do
    .build/release/lambda-host package function --plugin "$release/lib$plugin.so" --output "$work/$plugin.zip" > /dev/null
    unzip -q -o "$work/$plugin.zip" -d "$work/task"
done
unzip -q "$work/layer.zip" -d "$work/opt"

start() {  # name, then the simulator's arguments (without --count)
    local name=$1 line
    shift
    line=$("$work/sim" --count 2 "$@" 2> /dev/null) || true
    echo "$name $(grep -o 'init_ms=[0-9.-]*' <<< "$line" | cut -d= -f2) $(grep -o 'child_maxrss_kb=[0-9]*' <<< "$line" | cut -d= -f2) $(grep -o 'status=[a-z]*' <<< "$line")" >> "$work/all"
}

layer() {  # name, handler, then the simulator's arguments
    local name=$1 handler=$2
    shift 2
    _HANDLER=$handler LAMBDA_TASK_ROOT=$work/task LD_LIBRARY_PATH= start "$name" "$@" -- "$work/opt/bootstrap"
}

names="floor echo hello ffi"
[ "$shared_floor" = 1 ] && names="floor shared-floor echo hello ffi"
for peer in "$@"; do names="$names ${peer%%=*}"; done
for round in $(seq "$rounds"); do
    start floor --payload 100 --echo -- "$work/floor"
    if [ "$shared_floor" = 1 ]; then start shared-floor --payload 100 --echo -- "$work/shared-floor"; fi
    layer echo libEcho.so --payload 100 --echo
    layer hello libHello.so --event-file "$work/hello.json"
    layer ffi 'libCalc.so:mul_i64(a:i64,b:i64)->i64' --event-file "$work/calc.json"
    for peer in "$@"; do
        # shellcheck disable=SC2086 # the peer's command is split into words on purpose
        start "${peer%%=*}" --event-file "$work/hello.json" -- ${peer#*=}
    done
done

median() {  # name column
    grep "^$1 " "$work/all" | grep 'status=ok' | awk -v c="$2" '{print $c}' | sort -n |
        awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "nan"}'
}
floor_start=$(median floor 2)
floor_rss=$(median floor 3)
printf '%-12s %9s %9s %10s %9s %6s\n' client start_ms '/ floor' rss_kb '/ floor' ok
for name in $names; do
    s=$(median "$name" 2)
    r=$(median "$name" 3)
    ok=$(grep "^$name " "$work/all" | grep -c 'status=ok' || true)
    printf '%-12s %9s %8sx %10s %8sx %3s/%s\n' "$name" "$s" \
        "$(awk -v a="$s" -v b="$floor_start" 'BEGIN {printf "%.2f", a / b}')" "$r" \
        "$(awk -v a="$r" -v b="$floor_rss" 'BEGIN {printf "%.2f", a / b}')" "$ok" "$rounds"
done
