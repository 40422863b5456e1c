#!/usr/bin/env bash
# Builds the `fuzz` preset (clang 16, libFuzzer, ASan, UBSan) and fuzzes one target for
# SECONDS (default 60):
#   trace_reader     the trace reader and writer (round trip)        [default]
#   scenario_runner  the scenario reader and runner, model and spec (determinism)
#   cli              the command-line parser, every subcommand's options
# The JSON targets are seeded with every corpus trace, bad trace and scenario in the
# repository; every target also with fuzz/seeds/<target>/, one file per defect of
# issue 10 part D (a cli seed is argv, NUL-separated). Inputs go up to 128 KiB. New
# inputs the fuzzer finds collect in build/fuzz/<target>_corpus/ (kept between runs);
# a crash is written to build/fuzz/artifacts/ and the script exits non-zero. Needs
# clang-16: run `bash scripts/setup.sh --fuzz` first.
#
# usage: scripts/fuzz.sh [SECONDS] [TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
target=${2:-trace_reader}
case "$target" in
  trace_reader | scenario_runner) dict=fuzz/trace.dict ;;
  cli) dict=fuzz/cli.dict ;;
  *) echo "fuzz: unknown target '$target' (trace_reader, scenario_runner, cli)" >&2; exit 2 ;;
esac

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

grown=build/fuzz/${target}_corpus
seeds=build/fuzz/${target}_seeds
rm -rf "$seeds"
mkdir -p "$grown" "$seeds" build/fuzz/artifacts
if [ "$target" != cli ]; then
  # Copies under unique names: scenario file names repeat across folders.
  for file in traces/corpus/*.json traces/bad/*.json traces/scenarios/*/*.json; do
    cp "$file" "$seeds/$(echo "$file" | tr / _)"
  done
fi
cp fuzz/seeds/"$target"/* "$seeds"/

echo "fuzz: ${target}_fuzz for ${seconds}s, $(ls "$seeds" | wc -l) seeds"
build/fuzz/fuzz/"${target}"_fuzz -max_total_time="$seconds" -print_final_stats=1 \
  -max_len=131072 -dict="$dict" -artifact_prefix=build/fuzz/artifacts/ -rss_limit_mb=4096 \
  "$grown" "$seeds"
