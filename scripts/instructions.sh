#!/usr/bin/env bash
# Counts the instructions (valgrind --tool=callgrind) a lambda-host runtime executes for N1
# and N2 invocations of a plugin under the neutral simulator, and prints INIT (plus one
# invocation) and the cost of one invocation. Instruction counts repeat exactly, whatever
# else the machine is doing, so two builds compare where timings here cannot.
#
#   scripts/instructions.sh [BUILD_FOLDER] [PLUGIN] [N1] [N2]
#       defaults: .build/release libEcho.so 1 1001
#
# Needs: valgrind and cc (the simulator is Tests/Fixtures/lambda-service-sim.c). valgrind cannot read the debug
# information of this toolchain's builds, so stripped copies are run.
build=${1:-.build/release}
plugin=${2:-libEcho.so}
n1=${3:-1}
n2=${4:-1001}
source "$(dirname "$0")/bench-setup.sh"
mkdir -p "$work/task"
strip -o "$work/lambda-host" "$build/lambda-host"
strip -o "$work/task/$plugin" "$build/$plugin"
printf '{"name":"World"}' > "$work/event.json"
count() {
    _HANDLER=$plugin LAMBDA_TASK_ROOT=$work/task "$work/sim" --count "$1" --event-file "$work/event.json" -- \
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$work/lambda-host" 2>&1 >/dev/null |
        grep -o 'Collected : [0-9]*' | grep -o '[0-9]*$'
}
i1=$(count "$n1")
i2=$(count "$n2")
echo "$plugin: $n1 invocations: $i1 instructions; $n2 invocations: $i2"
awk -v a="$i1" -v b="$i2" -v x="$n1" -v y="$n2" 'BEGIN {printf "instructions per invocation: %.0f\n", (b - a) / (y - x)}'
