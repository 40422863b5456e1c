#!/usr/bin/env bash
# Which lines, branches and errno returns of the mirrors a campaign reaches.
#
# Builds `mprogsim` with gcov instrumentation (preset `coverage`: Debug, --coverage),
# runs the campaign (default: `mprogsim check` with no options, the default portfolio,
# once per variant), and reports per function of each variant's mirror (bpf_mprog.cc:
# attach, detach, query; tcx.cc: the tcx paths; system.cc: the syscall layer) the
# lines and branches executed and every errno site (a line that returns or sets
# -EXXX) never reached. The report goes to standard output and build/coverage/coverage.txt.
#
# usage: scripts/coverage.sh [--report-only] [VARIANT...] [-- CHECK_OPTIONS...]
#   e.g. scripts/coverage.sh                    # v2 and upstream, default campaign
#        scripts/coverage.sh upstream -- --time-budget 60
#        scripts/coverage.sh --report-only      # report the data of the last run again
# The default campaign takes about 20 minutes here (Debug, atomic counters: about 60x
# slower than the default preset).
# Exit 0: reported; 2: bad usage or the build failed. The campaign's own verdict is
# printed but does not change the exit code (a violation still covers what it ran).
set -euo pipefail
cd "$(dirname "$0")/.."
variants=()
check_args=()
report_only=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --) shift; check_args=("$@"); break ;;
    --report-only) report_only=true; shift ;;
    v2 | upstream) variants+=("$1"); shift ;;
    *) echo "coverage: unknown argument '$1' (v2, upstream, -- CHECK_OPTIONS)" >&2; exit 2 ;;
  esac
done
[[ ${#variants[@]} -gt 0 ]] || variants=(v2 upstream)
command -v gcov >/dev/null || { echo "coverage: no gcov (apt-get install gcc)" >&2; exit 2; }

build=build/coverage
objects=$build/model/CMakeFiles/mprog_model.dir
report=$build/coverage.txt
if ! $report_only; then
  cmake --preset coverage >/dev/null || exit 2
  cmake --build --preset coverage >/dev/null || { echo "coverage: the build failed" >&2; exit 2; }
  find "$build" -name '*.gcda' -delete
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

{
  $report_only || for variant in "${variants[@]}"; do
    echo "== mprogsim check --variant $variant ${check_args[*]}"
    "$build/tools/mprogsim" check --variant "$variant" -q --out "$work/traces" "${check_args[@]}" |
      tail -3 | sed 's/^/   /' || true
  done
  echo
  for variant in "${variants[@]}"; do
    for file in bpf_mprog tcx system; do
      source=model/$variant/$file.cc
      dir=$work/gcov-$variant-$file
      mkdir -p "$dir"
      (cd "$dir" && gcov -b -c -f -m -o "$OLDPWD/$objects/$variant/$file.cc.gcda" \
        "$OLDPWD/$source" >/dev/null 2>&1) || true
      gcov_file=$dir/$file.cc.gcov
      if [[ ! -f $gcov_file ]]; then
        echo "$source: no coverage data (not run?)"
        continue
      fi
      echo "$source"
      awk -v source="$source" '
        function flush() {
          if (fn == "") return
          printf "  %-34s lines %3d/%-3d branches %3d/%-3d errno sites %2d/%-2d\n", \
            fn, lines_hit, lines, br_hit, br, errno_hit, errno_all
          for (i = 1; i <= missed_n; i++) print "      never reached: " missed[i]
          tl += lines; tlh += lines_hit; tb += br; tbh += br_hit; te += errno_all; teh += errno_hit
        }
        /^function / {
          flush()
          name = $0; sub(/^function /, "", name); sub(/ called [0-9]+ returned.*$/, "", name)
          gsub(/\(anonymous namespace\)::/, "", name)
          sub(/\(.*$/, "", name); n = split(name, parts, "::"); fn = parts[n]
          if (fn == "") fn = name
          lines = lines_hit = br = br_hit = errno_all = errno_hit = missed_n = 0
          next
        }
        /^branch / { br++; if ($0 ~ /taken [1-9]/) br_hit++; next }
        /^ *[-0-9#=]+\**: *[0-9]+:/ {
          if (fn == "") next
          split($0, f, ":"); count = f[1]; gsub(/ /, "", count); line = f[2] + 0
          text = $0; sub(/^[^:]*:[^:]*:/, "", text)
          if (count == "-") next
          reached = count !~ /^(#####|=====)/
          lines++; if (reached) lines_hit++
          code = text; sub(/\/\/.*$/, "", code)
          if (code ~ /-E[A-Z0-9]+/ && code !~ /^[ \t]*\*/) {
            errno_all++
            if (reached) errno_hit++
            else { t = code; gsub(/^[ \t]+/, "", t); missed[++missed_n] = line ": " t }
          }
        }
        END {
          flush()
          printf "  %-34s lines %3d/%-3d branches %3d/%-3d errno sites %2d/%-2d\n", \
            "(all functions)", tlh, tl, tbh, tb, teh, te
        }' "$gcov_file"
    done
  done
} | tee "$report"
