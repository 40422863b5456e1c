#!/usr/bin/env bash
# mprogsim against Spin on the same bounds, in the same run, on this machine.
#
# Spin (the Debian package `spin`, model in ../shared/peers/spin, how to run it in its
# README) checks a 4-slot Promela model of v2 mprog + tcx + RCU: P1 and P2 attached
# before the readers start, then every sequence of N writer operations from {attach
# P3 at the end, attach P3 at the front, detach an attached program}, 2 readers,
# every interleaving. B1: 3 operations, 1 pass per reader. B2: 4 operations, 2 passes.
# mprogsim runs the same sequences (bench/spin-b1, bench/spin-b2, written by
# scripts/make_spin_workloads.sh) on the faithful model, one `check --strategy dpor`
# per sequence, each of which must report that it explored every interleaving up to
# equivalence ("complete"); otherwise the script fails.
#
# Printed: Spin's pan run alone and its whole pipeline (spin -a, gcc, pan), our total
# wall time over the 24 processes, and the ratios ours / Spin (below 1: we are faster).
#
# usage: scripts/bench-spin.sh [B1|B2|all] [path/to/mprogsim] [spin model dir]
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
mprogsim=$(realpath "${2:-build/default/tools/mprogsim}")
# The shared folder sits beside the repository (../shared) or beside its worktrees.
default_model=../shared/peers/spin
[[ -d $default_model ]] || default_model=../../shared/peers/spin
model=$(realpath "${3:-$default_model}")
command -v spin >/dev/null || { echo "bench-spin: spin is not installed (apt-get install spin)" >&2; exit 2; }
[[ -f $model/v0_correct.pml ]] || { echo "bench-spin: no $model/v0_correct.pml" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$model"/*.pml "$work"/

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l; }
ratio() { echo "scale=3; $1 / $2" | bc -l; }

bench() {  # name, spin -D flags, pan -w, our workloads, passes
  local name=$1 defines=$2 hash=$3 dir=$4 passes=$5
  echo "== $name"
  local t0 t1 spin_a gcc_t pan_t pipeline ours
  t0=$(now)
  (cd "$work" && spin -a $defines v0_correct.pml >/dev/null)
  spin_a=$(since "$t0")
  t1=$(now)
  (cd "$work" && gcc -O2 -DSAFETY -DMEMLIM=15000 -o pan pan.c)
  gcc_t=$(since "$t1")
  t1=$(now)
  (cd "$work" && ./pan -m100000 "-w$hash" >"$work/pan.out")
  pan_t=$(since "$t1")
  pipeline=$(since "$t0")
  grep -q "errors: 0" "$work/pan.out" || { echo "bench-spin: pan found an error" >&2; exit 1; }
  local states
  states=$(awk '/states, stored/ { print $1; exit }' "$work/pan.out")
  printf 'spin: %s states; spin -a %.2f s, gcc %.2f s, pan %.2f s; pipeline %.2f s\n' \
    "$states" "$spin_a" "$gcc_t" "$pan_t" "$pipeline"

  local executions=0 n=0 f out
  local files=("$dir"/*.json)
  # Timed: only the 24 mprogsim processes (their outputs are checked afterwards, so
  # that the checking's own processes are not counted).
  t0=$(now)
  for f in "${files[@]}"; do
    "$mprogsim" check --workload "$f" --strategy dpor --readers 2 --passes "$passes" \
      --start-readers-after 5 -q >"$work/out.$n" || true
    n=$((n + 1))
  done
  ours=$(since "$t0")
  for ((i = 0; i < n; i++)); do
    out=$(<"$work/out.$i")
    grep -q "^dpor: all .* explored: complete" <<<"$out" ||
      { echo "bench-spin: ${files[$i]} did not complete:" >&2; echo "$out" >&2; exit 1; }
    # Executions run, to the end or to a state explored before.
    executions=$((executions + $(sed -n 's/^executions \([0-9]*\).*/\1/p' <<<"$out")))
  done
  printf 'mprogsim: %d workloads, %d executions, each workload complete; %.2f s\n' \
    "$n" "$executions" "$ours"
  printf '%s ratio mprogsim / spin: %s against pan alone, %s against the pipeline\n' \
    "$name" "$(ratio "$ours" "$pan_t")" "$(ratio "$ours" "$pipeline")"
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ $which == B1 || $which == all ]]; then bench B1 "" 24 bench/spin-b1 1; fi
if [[ $which == B2 || $which == all ]]; then bench B2 "-DNT=2 -DNOPS=4" 26 bench/spin-b2 2; fi
