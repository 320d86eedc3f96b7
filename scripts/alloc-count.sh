#!/usr/bin/env bash
# Counts the host's heap allocations for two numbers of invocations of the Probe fixture
# (a C plugin whose handler allocates nothing and whose shutdown hook makes the host exit
# through exit(3), so the count is printed). The difference, divided by the difference in
# invocations, is what one invocation allocates on the success path.
#
#   scripts/alloc-count.sh [N1] [N2]      (defaults: 1000 and 3000)
#
# Needs: swift build -c release and cc.
n1=${1:-1000}
n2=${2:-3000}
source "$(dirname "$0")/bench-setup.sh"
cc -O2 -shared -fPIC -o "$work/alloc-count.so" scripts/alloc-count.c
count() {
    _HANDLER=libProbe.so LAMBDA_TASK_ROOT=$PWD/.build/release \
        "$work/sim" --count "$1" --payload 100 -- env LD_PRELOAD="$work/alloc-count.so" .build/release/lambda-host 2>&1 |
        grep -o 'allocations=[0-9]*' | cut -d= -f2
}
a1=$(count "$n1")
a2=$(count "$n2")
echo "invocations=$n1 allocations=$a1"
echo "invocations=$n2 allocations=$a2"
awk -v a="$a1" -v b="$a2" -v x="$n1" -v y="$n2" 'BEGIN {printf "allocations per invocation: %.3f\n", (b - a) / (y - x)}'
