#!/usr/bin/env bash
# Times the SDK's JSON coders (LambdaJSON) against FoundationEssentials' on the event
# fixtures of Tests/Fixtures/events: decoding each into its Codable shape and encoding it
# back (default settings and sorted keys), the best of ROUNDS rounds, in microseconds per
# operation, and FoundationEssentials' time over LambdaJSON's.
#
#   scripts/json-bench.sh [ROUNDS]     (default 7)
#
# Builds scripts/json-bench (a package of its own, never in the layer) in release.
set -euo pipefail
cd "$(dirname "$0")/json-bench"
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release >/dev/null
.build/release/json-bench ../../Tests/Fixtures/events "${1:-7}"
