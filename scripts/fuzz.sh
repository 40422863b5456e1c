#!/usr/bin/env bash
# Builds the `fuzz` preset (clang, libFuzzer, ASan, UBSan) and fuzzes the trace
# reader for SECONDS (default 60), seeded with every corpus trace, bad trace and
# scenario in the repository. New inputs the fuzzer finds collect in
# build/fuzz/trace_reader_corpus/ (kept between runs); a crash is written to
# build/fuzz/artifacts/ and the script exits non-zero. Needs clang: run
# `bash scripts/setup.sh --fuzz` first.
#
# usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

grown=build/fuzz/trace_reader_corpus
seeds=build/fuzz/trace_reader_seeds
rm -rf "$seeds"
mkdir -p "$grown" "$seeds" build/fuzz/artifacts
# Copies under unique names: scenario file names repeat across folders.
for file in traces/corpus/*.json traces/bad/*.json traces/scenarios/*/*.json; do
  cp "$file" "$seeds/$(echo "$file" | tr / _)"
done

echo "fuzz: trace_reader_fuzz for ${seconds}s, $(ls "$seeds" | wc -l) seeds"
build/fuzz/fuzz/trace_reader_fuzz -max_total_time="$seconds" -print_final_stats=1 \
  -dict=fuzz/trace.dict -artifact_prefix=build/fuzz/artifacts/ -rss_limit_mb=4096 \
  "$grown" "$seeds"
