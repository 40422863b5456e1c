#!/usr/bin/env bash
# The model against the real kernel: COUNT random sequential upstream scenarios
# (properties/draw_scenarios: the simulator's generator, each step with the spec's
# answers), exported as one C test (`mprogsim export --selftest`), built against libbpf
# and run in a fresh network namespace on this machine's kernel (Linux 6.6+: tcx).
# Every assertion that fails is a difference between the model and this kernel; the
# scenarios are kept in the work directory to replay and shrink.
#
# usage: scripts/kernel-diff.sh [COUNT (default 200)] [SEED (default 1)] [BUILD_DIR]
# Exit 0: no difference; 1: differences (printed); 2: cannot run here; 77 skipped (no tcx).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200}
seed=${2:-1}
build=${3:-build/default}
for tool in "$build/tools/mprogsim" "$build/properties/draw_scenarios"; do
  [[ -x $tool ]] || { echo "kernel-diff: no $tool (cmake --build --preset default)" >&2; exit 2; }
done
unshare -n true 2>/dev/null || { echo "kernel-diff: skipped: cannot make a network namespace (root?)"; exit 77; }
version=$(uname -r | cut -d- -f1)
if [[ $(printf '6.6\n%s\n' "$version" | sort -V | head -1) != 6.6 ]]; then
  echo "kernel-diff: skipped: Linux $version has no tcx"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/kernel-diff.XXXXXX")
"$build/properties/draw_scenarios" "$count" "$seed" > "$work/scenarios.json"
"$build/tools/mprogsim" replay "$work/scenarios.json" > "$work/model.txt" ||
  { echo "kernel-diff: the drawn scenarios do not pass on the model (a bug): $work/model.txt" >&2; exit 2; }
"$build/tools/mprogsim" export --selftest "$work/scenarios.json" -o "$work/scenarios.c"
cc -O0 -o "$work/scenarios" "$work/scenarios.c" -lbpf
if unshare -n "$work/scenarios" > "$work/kernel.txt" 2>&1; then
  echo "kernel-diff: $count scenarios (seed $seed) on Linux $(uname -r): no difference from the model"
  rm -rf "$work"
  exit 0
fi
echo "kernel-diff: $count scenarios (seed $seed) on Linux $(uname -r): differences from the model"
head -40 "$work/kernel.txt"
echo "(scenarios: $work/scenarios.json; C: $work/scenarios.c)"
exit 1
