#!/usr/bin/env bash
# Many invocations at once (issue 14, docs/concurrency.md): the rate and memory of
# lambda-host's thread and process models against the neutral Runtime API simulator
# (Tests/Fixtures/lambda-service-sim.c), with a handler that waits 10 ms and echoes the event, so the ideal rate
# is N / 10 ms. Prints each run, then the medians, the ratios to the ideal, and the memory
# each extra worker (thread or process) adds.
#
#   scripts/concurrency-bench.sh [ROUNDS] [COUNT] [NAME=COMMAND ...]   (default: 3 rounds of 2000)
#
# Each client runs COUNT invocations (`--payload 100 --echo`) at `--max-concurrency 8`,
# and for reference at 2 and 1, each after 200 unmeasured ones:
#   threads    ./bootstrap with a C plugin declaring LAMBDA_PLUGIN_THREAD_SAFE: one
#              worker process, N threads (and the supervisor)
#   processes  ./bootstrap with the same plugin without the flag: N worker processes
#              (and the supervisor)
# Each NAME=COMMAND adds a peer built elsewhere (awslambdaric, aws-lambda-go), started by
# the simulator with the same flags; its handler must wait 10 ms and echo the event byte
# for byte. COMMAND is split into words (use `env VAR=value ...` for variables).
#
# Memory: scripts/concurrency-sample.py starts the simulator, reads its descendants from
# /proc every 100 ms while they run and keeps each figure's maximum: the tree's total RSS,
# PSS and private memory (Private_Clean + Private_Dirty), its processes and threads, and
# the root's (the simulator's child: the supervisor when N > 1). Per extra worker (a
# thread in the thread model, a process in the process model): (N = 8 - N = 2) / 6, where
# both trees hold the supervisor and differ only in workers, of the tree's totals and of
# the workers' private memory (the steadiest figure: RSS and PSS of file pages move by
# hundreds of KB between runs on a busy machine); and (tree at 8 - tree at 1) / 7, which
# also spreads the supervisor over the 7.
#
# Needs: swift, cc and python3.
rounds=${1:-3}
count=${2:-2000}
shift $(($# < 2 ? $# : 2))
(cd "$(dirname "$0")/.." && swift build -c release --product lambda-host --quiet) || exit 2
source "$(dirname "$0")/bench-setup.sh"
sampler=$PWD/scripts/concurrency-sample.py

cat > "$work/wait.c" << 'EOF'
/* Waits 10 ms, as an I/O-bound function would, then echoes the event. */
#include <unistd.h>
#include "lambda_plugin.h"

LAMBDA_PLUGIN_DEFINE_FLAGS("wait", "1.0.0", NULL, NULL, WAIT_FLAGS)

LAMBDA_EXPORT lambda_status handler(const lambda_invocation *invocation) {
    usleep(10000);
    return invocation->host->respond(invocation, invocation->payload, invocation->payload_size);
}
EOF
plugin() {  # output, flags
    cc -O2 -shared -fPIC -I Sources/CLambdaPlugin/include -DWAIT_FLAGS="$2" -o "$1" "$work/wait.c"
}
plugin "$work/libWaitThreads.so" LAMBDA_PLUGIN_THREAD_SAFE
plugin "$work/libWaitProcesses.so" 0

run() {  # name, N, then the runtime's command
    local name=$1 n=$2 line memory
    shift 2
    local flags=(--max-concurrency "$n" --payload 100 --echo)
    "$work/sim" --count 200 "${flags[@]}" -- "$@" > /dev/null 2> "$work/stderr" || true
    rm -f "$work/memory"
    python3 "$sampler" "$work/memory" -- "$work/sim" --count "$count" "${flags[@]}" -- "$@" \
        > "$work/out" 2> "$work/stderr" || true
    # The runtime shares the simulator's stdout: its summary is the line that starts so.
    line=$(grep '^init_ms=' "$work/out" || echo status=no-summary)
    memory=$(cat "$work/memory" 2> /dev/null || echo samples=0)
    echo "$name n=$n $line $memory" | tee -a "$work/all"
    case $line in *status=ok*) ;; *) tail -n 5 "$work/stderr" >&2 ;; esac
}

names="threads processes"
for peer in "$@"; do names="$names ${peer%%=*}"; done
for round in $(seq "$rounds"); do
    for n in 8 2 1; do
        _HANDLER=libWaitThreads.so LAMBDA_TASK_ROOT=$work run threads "$n" ./bootstrap
        _HANDLER=libWaitProcesses.so LAMBDA_TASK_ROOT=$work run processes "$n" ./bootstrap
        for peer in "$@"; do
            # shellcheck disable=SC2086 # the peer's command is split into words on purpose
            run "${peer%%=*}" "$n" ${peer#*=}
        done
    done
done

median() {  # name N field: the median over the runs whose status is ok ("nan" if none)
    awk -v key="$1 n=$2" -v field="$3" 'index($0, key " ") == 1 && / status=ok / {
        for (i = 1; i <= NF; i++) if (index($i, field "=") == 1) print substr($i, length(field) + 2) + 0
    }' "$work/all" | sort -n | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]; else print "nan"}'
}
calc() { awk "BEGIN {printf \"$1\", $2}"; }
per_extra() {  # name field N: (the figure at N = 8 - at N) / (8 - N)
    local a b
    a=$(median "$1" 8 "$2")
    b=$(median "$1" "$3" "$2")
    if [ "$a" = nan ] || [ "$b" = nan ]; then echo nan; else calc %.0f "($a - $b) / (8 - $3)"; fi
}
ok_runs() { awk -v key="$1 n=$2" 'index($0, key " ") == 1 && / status=ok / {c++} END {print c + 0}' "$work/all"; }
ratio() { if [ "$1" = nan ]; then echo nan; else calc "$2" "$1 / $3"; fi; }

echo
echo "Rates (medians of $rounds runs of $count; ideal = N / 10 ms; scaling = rate / (N x the rate at N = 1)):"
printf '%-12s %2s %6s %7s %8s %8s %8s %6s\n' client N rate '/ideal' scaling p50_ms p99_ms ok
for name in $names; do
    one=$(median "$name" 1 rate)
    for n in 8 2 1; do
        rate=$(median "$name" "$n" rate)
        scaling=nan
        if [ "$one" != nan ]; then scaling=$(ratio "$rate" %.2f "($n * $one)"); fi
        printf '%-12s %2s %6s %7s %8s %8s %8s %4s/%s\n' "$name" "$n" "$rate" "$(ratio "$rate" %.2f $((n * 100)))" \
            "$scaling" "$(ratio "$(median "$name" "$n" p50_us)" %.2f 1000)" \
            "$(ratio "$(median "$name" "$n" p99_us)" %.2f 1000)" "$(ok_runs "$name" "$n")" "$rounds"
    done
done

echo
echo "Memory, KB, peak while running (tree: every process; root: the simulator's child alone;"
echo "worker: the mean of the root's descendants, each a worker process):"
printf '%-12s %2s %5s %7s' client N procs threads
printf ' %9s' tree_rss tree_pss tree_priv root_rss root_pss root_priv wkr_rss wkr_pss wkr_priv
echo
for name in $names; do
    for n in 8 2 1; do
        printf '%-12s %2s %5s %7s' "$name" "$n" "$(median "$name" "$n" procs)" "$(median "$name" "$n" threads)"
        for field in rss_kb pss_kb priv_kb root_rss_kb root_pss_kb root_priv_kb; do
            printf ' %9s' "$(median "$name" "$n" "$field")"
        done
        kids=$(median "$name" "$n" kids)
        for field in rss_kb pss_kb priv_kb; do
            if [ "$kids" = nan ] || [ "$kids" = 0 ]; then printf ' %9s' -
            else printf ' %9s' "$(ratio "$(median "$name" "$n" "kids_$field")" %.0f "$kids")"; fi
        done
        echo
    done
done

echo
echo "Per extra worker, KB: (N = 8 - N = 2) / 6 of the tree's totals and of the workers' private"
echo "memory (the root's descendants: the worker process of the thread model, the worker processes"
echo "of the process model), and (N = 8 - N = 1) / 7 of the tree's totals:"
printf '%-12s' client
printf ' %9s' rss_8-2 pss_8-2 priv_8-2 wkr_priv rss_8-1 pss_8-1 priv_8-1
echo
for name in $names; do
    printf '%-12s' "$name"
    for field in rss_kb pss_kb priv_kb; do printf ' %9s' "$(per_extra "$name" "$field" 2)"; done
    if [ "$(median "$name" 2 kids)" = 0 ]; then printf ' %9s' -; else printf ' %9s' "$(per_extra "$name" kids_priv_kb 2)"; fi
    for field in rss_kb pss_kb priv_kb; do printf ' %9s' "$(per_extra "$name" "$field" 1)"; done
    echo
done
echo "runs with status=ok: $(grep -c 'status=ok' "$work/all" || true) of $(wc -l < "$work/all")"
