#!/usr/bin/env bash
# AWS call benchmark (issue 12): one DynamoDB GetItem per invocation against one moto
# server on loopback, under the neutral Runtime API simulator (Tests/Fixtures/), in one
# run: a C plugin through lambda-host (scripts/aws-bench/getitem.c, signed by the host)
# against AWS's Python runtime client (awslambdaric) with a boto3 handler
# (scripts/aws-bench/handler.py), and moto's own time per request (moto_floor.c).
#
#   scripts/aws-bench.sh [-r ROUNDS] [-n COUNT] [-c COLD]   (3 rounds of 1000; 7 cold starts)
#
# warm: invocations per second over COUNT invocations, medians of ROUNDS.
# cold: exec to the first answered invocation that made one call: the simulator's init_ms
#       (exec to the first GET /next) plus that invocation's time, --count 1, medians of
#       COLD processes each.
# moto's server answers "Connection: close", so every client connects per request.
# Authentication is off in moto here (signatures are checked in the tests, not timed).
#
# Needs: swift, cc, python3 with moto[server], boto3 and awslambdaric. Builds lambda-host and Visits in release unless BENCH_NO_BUILD=1.
set -euo pipefail
here=$PWD
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
rounds=3 count=1000 cold=7
while getopts r:n:c: option; do
    case $option in
        r) rounds=$OPTARG ;;
        n) count=$OPTARG ;;
        c) cold=$OPTARG ;;
        *) sed -n 2,19p "$0" >&2; exit 2 ;;
    esac
done
python3 -c 'import moto, boto3, awslambdaric' 2>/dev/null ||
    { echo "$0: needs python3 with moto[server], boto3 and awslambdaric (pip install)" >&2; exit 2; }
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    swift build -c release --product lambda-host 2>&1 | tail -1
    ! grep -q 'name: "Visits"' Package.swift || swift build -c release --product Visits 2>&1 | tail -1
fi
cd "$here"
source "$(dirname "$0")/bench-setup.sh"  # cd to the package; $work (removed at exit), $work/sim
release=$PWD/.build/release
moto_pid=""
trap '[ -z "$moto_pid" ] || { kill "$moto_pid"; wait "$moto_pid"; } 2>/dev/null; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 300); do
    curl -q -s --noproxy '*' -o /dev/null "http://127.0.0.1:$port/moto-api/" && break
    kill -0 "$moto_pid" 2>/dev/null || { echo "$0: moto did not start: $(cat "$work/moto.log")" >&2; exit 1; }
    sleep 0.05
done
python3 scripts/aws-bench/setup.py "http://127.0.0.1:$port" Bench

mkdir -p "$work/fn"
cc -shared -fPIC -O2 -I Sources/CLambdaPlugin/include -o "$work/fn/libGetItem.so" scripts/aws-bench/getitem.c
cp scripts/aws-bench/handler.py "$work/fn/"
cc -O2 -o "$work/moto_floor" scripts/aws-bench/moto_floor.c
echo '{}' > "$work/event.json"
# The same credentials, region and endpoint for both; boto3 reads AWS_DEFAULT_REGION.
common=(env AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret
    AWS_SESSION_TOKEN=bench-token AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 BENCH_TABLE=Bench
    LAMBDA_TASK_ROOT="$work/fn" AWS_LAMBDA_LOG_LEVEL=WARN)
command() {  # client
    case $1 in
        host-c) echo "env _HANDLER=libGetItem.so $release/lambda-host" ;;
        python-boto3) echo "env PYTHONPATH=$work/fn python3 -m awslambdaric handler.handler" ;;
    esac
}
for round in $(seq "$rounds"); do
    for name in host-c python-boto3; do
        # shellcheck disable=SC2046
        echo "$name $("${common[@]}" "$work/sim" --count "$count" --event-file "$work/event.json" -- $(command "$name") 2>/dev/null)" >> "$work/all"
    done
    echo "moto $("$work/moto_floor" "$port" "$count" Bench)" >> "$work/all"
done
for _ in $(seq "$cold"); do
    for name in host-c python-boto3; do
        # shellcheck disable=SC2046
        line=$("${common[@]}" "$work/sim" --count 1 --event-file "$work/event.json" -- $(command "$name") 2>/dev/null)
        init=$(echo "$line" | grep -o 'init_ms=[0-9.]*' | cut -d= -f2)
        first=$(echo "$line" | grep -o 'p50_us=[0-9.]*' | cut -d= -f2)
        echo "$name cold_ms=$(awk -v a="$init" -v b="$first" 'BEGIN {printf "%.2f", a + b / 1000}') $line" >> "$work/cold"
    done
done

median() {  # file name field
    grep "^$2 " "$1" | grep -o " $3=[0-9.]*" | cut -d= -f2 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
host_rate=$(median "$work/all" host-c rate) py_rate=$(median "$work/all" python-boto3 rate)
moto_us=$(median "$work/all" moto moto_us)
echo
echo "moto $(python3 -c 'import moto; print(moto.__version__)') on 127.0.0.1, DynamoDB GetItem per invocation; warm: $count invocations, medians of $rounds rounds"
printf '%-14s %8s %9s %9s %10s\n' client rate p50_us p99_us maxrss_kb
for name in host-c python-boto3; do
    printf '%-14s %8s %9s %9s %10s\n' "$name" "$(median "$work/all" "$name" rate)" "$(median "$work/all" "$name" p50_us)" \
        "$(median "$work/all" "$name" p99_us)" "$(median "$work/all" "$name" child_maxrss_kb)"
done
# moto_floor gives a mean, so it is compared with each client's mean time (1 / rate).
share() { awk -v m="$moto_us" -v r="$1" 'BEGIN {printf "%.0f%% of %.0f us", 100 * m * r / 1e6, 1e6 / r}'; }
echo "moto alone: $moto_us us per request, mean (a new connection each): $(share "$host_rate") for host-c, $(share "$py_rate") for python-boto3"
echo "warm rate host-c / python-boto3: $(ratio "$host_rate" "$py_rate")"
echo
printf '%-14s %9s %9s\n' client cold_ms init_ms
for name in host-c python-boto3; do
    printf '%-14s %9s %9s\n' "$name" "$(median "$work/cold" "$name" cold_ms)" "$(median "$work/cold" "$name" init_ms)"
done
echo "cold host-c / python-boto3: $(ratio "$(median "$work/cold" host-c cold_ms)" "$(median "$work/cold" python-boto3 cold_ms)") (medians of $cold)"
echo
# Sizes: what each function ships.
tools=$(ls "$release/lambda-host-tools" .build/debug/lambda-host-tools 2>/dev/null | head -1 || true)
if [ -f "$release/libVisits.so" ] && [ -n "$tools" ]; then
    "$tools" package function --host "$release/lambda-host" --plugin "$release/libVisits.so" --output "$work/visits.zip" > /dev/null
    echo "Visits function zip (lambda-host package function): $(stat -c %s "$work/visits.zip") bytes"
else
    echo "Visits function zip: not measured (build lambda-host-tools, and Visits in release)"
fi
boto_kb=$(python3 -c 'import boto3, botocore, s3transfer, jmespath, os, sys
import subprocess
paths = [os.path.dirname(m.__file__) for m in (boto3, botocore, s3transfer, jmespath)]
print(subprocess.run(["du", "-sk", *paths], capture_output=True, text=True).stdout.split()[::2])' | tr -d "[]',")
total=0; for k in $boto_kb; do total=$((total + k)); done
echo "boto3 + botocore + s3transfer + jmespath installed: $((total / 1024)) MiB (a Python function that bundles boto3 ships them; Lambda's Python runtime carries a copy)"
echo "runs with status=ok: $(grep -c 'status=ok' "$work/all" || true) of $((rounds * 2)) warm, $(grep -c 'status=ok' "$work/cold" || true) of $((cold * 2)) cold"
