#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer) of the parsers that input reaches: the fuzzers of
# the separate package Fuzz/, one per parser. See docs/fuzzing.md.
#
#   scripts/fuzz.sh build                     build every fuzzer into .build-fuzz/release
#   scripts/fuzz.sh list                      name the fuzzers
#   scripts/fuzz.sh run NAME [SECONDS] [FLAG...]
#                                             fuzz NAME for SECONDS (default 600), starting
#                                             from Fuzz/Corpus/NAME, which it never writes;
#                                             new inputs go to $FUZZ_OUT/corpus/NAME, crashes
#                                             to $FUZZ_OUT/findings/NAME (FUZZ_OUT defaults
#                                             to .build-fuzz); FLAGs go to libFuzzer
#   scripts/fuzz.sh merge NAME                add to Fuzz/Corpus/NAME the fewest inputs of
#                                             .build-fuzz/corpus/NAME that cover every edge
#                                             they reach and it does not
#   scripts/fuzz.sh coverage NAME             the line coverage of NAME's parser files by
#                                             both corpora (a separate, instrumented build
#                                             in .build-fuzz-cov)
#
# The build is release with AddressSanitizer (bounds and use-after-free in the parsers'
# unsafe code) and -enable-testing (the fuzzers reach internal entry points).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
scratch=.build-fuzz

# The source files each fuzzer is there to cover.
parsers() {
    case $1 in
    runtime-api) echo Sources/LambdaRuntimeAPI/{HTTPReply,RuntimeAPIConnection}.swift ;;
    handler) echo Sources/LambdaPluginLoader/HandlerSpec.swift ;;
    signature) echo Sources/LambdaDynamicCall/{Signature,Signature+Parser}.swift ;;
    json-event) echo Sources/LambdaRuntimeAPI/{JSONReader,JSONReader+String,Base64}.swift Sources/LambdaDynamicCall/Marshalling.swift ;;
    elf) echo Sources/LambdaPackaging/{ByteReader,ELFFile,ELFFile+Edit,ELFAudit,SymbolVersion}.swift ;;
    zip) echo Sources/LambdaPackaging/{ZipArchive,ZipArchive+Read}.swift ;;
    outbound-response) echo Sources/LambdaOutbound/{HTTPResponseParser,HTTPResponseParser+Head,ResponseBuffer}.swift ;;
    outbound-url) echo Sources/LambdaOutbound/{OutboundURL,Origin,AllowList,HTTPRequestWriter}.swift ;;
    esac
}

fuzzers() { (cd Fuzz/Sources && ls -d fuzz-* | sed 's/^fuzz-//'); }

binary() {
    local name=$1
    fuzzers | grep -qx "$name" || { echo "fuzz.sh: no fuzzer '$name'; the fuzzers are: $(fuzzers | tr '\n' ' ')" >&2; exit 2; }
    [ -x "$scratch/release/fuzz-$name" ] || { echo "fuzz.sh: $scratch/release/fuzz-$name is missing; run scripts/fuzz.sh build" >&2; exit 2; }
    echo "$scratch/release/fuzz-$name"
}

# The Swift runtime's backtracer would take the crash signals libFuzzer needs to save the
# input that crashed.
export SWIFT_BACKTRACE=enable=no

case "${1:-}" in
build)
    swift build -c release --package-path Fuzz --scratch-path "$scratch" \
        --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
        -Xswiftc -enable-testing -Xswiftc -use-ld=lld
    ;;
list)
    fuzzers
    ;;
run)
    name=${2:?scripts/fuzz.sh run NAME [SECONDS]}
    seconds=${3:-600}
    shift $(( $# < 3 ? $# : 3 ))
    bin=$(binary "$name")
    out=${FUZZ_OUT:-$scratch}
    mkdir -p "$out/corpus/$name" "$out/findings/$name"
    dict=()
    [ -f "Fuzz/Dictionaries/$name.dict" ] && dict=(-dict="Fuzz/Dictionaries/$name.dict")
    exec "$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$out/findings/$name/" \
        "${dict[@]}" "$@" "$out/corpus/$name" "Fuzz/Corpus/$name"
    ;;
merge)
    name=${2:?scripts/fuzz.sh merge NAME}
    bin=$(binary "$name")
    # Edges only (no hit counts) and a greedy set cover: a corpus small enough to keep
    # in the repo, which a short run grows back from.
    "$bin" -set_cover_merge=1 -use_counters=0 "Fuzz/Corpus/$name" "$scratch/corpus/$name"
    ;;
coverage)
    name=${2:?scripts/fuzz.sh coverage NAME}
    binary "$name" > /dev/null
    swift build --package-path Fuzz --scratch-path "$scratch-cov" --sanitize=fuzzer -Xswiftc -sanitize=fuzzer \
        -Xswiftc -parse-as-library -Xswiftc -use-ld=lld -Xswiftc -profile-generate -Xswiftc -profile-coverage-mapping \
        --product "fuzz-$name" > /dev/null
    profile=$(mktemp -d)
    mkdir -p "$scratch/corpus/$name"
    LLVM_PROFILE_FILE="$profile/raw" "$scratch-cov/debug/fuzz-$name" -runs=0 "Fuzz/Corpus/$name" "$scratch/corpus/$name" 2>&1 | tail -1
    llvm-profdata merge -o "$profile/data" "$profile/raw"
    llvm-cov report "$scratch-cov/debug/fuzz-$name" -instr-profile="$profile/data" $(parsers "$name") \
        | awk '$1 ~ /\.swift$|^TOTAL$/ { sub(".*/Sources/", "Sources/", $1); print $1 ": " $8 " lines, " $9 " missed, " $10 " covered" }'
    rm -rf "$profile"
    ;;
*)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 2
    ;;
esac
