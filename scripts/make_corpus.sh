#!/usr/bin/env bash
# Regenerates traces/corpus/ from scratch: for each mutant the seeded campaign
# finds, `mprogsim check` writes the failing trace and `mprogsim shrink` minimizes
# it into traces/corpus/<mutant>.json; a few of the concurrent ones, replayed on the
# correct model, become regression traces that must keep passing
# (traces/corpus/correct-on-<mutant>.json); and the known finding U1 of the correct
# upstream code gets its two traces (traces/corpus/upstream-replace-mix*.json).
# Deterministic: same binary, same files (docs/trace-format.md, "The corpus").
#
# `check` writes one trace per violation group (and one per known finding met), so a
# run can leave several files: each corpus trace is the trace of the FIRST violation
# group, as `check --json` lists them (in the order the run met them,
# docs/results-format.md), never whatever a glob finds. A check that does not exit 1
# (a violation) stops the script: a corpus entry the campaign no longer finds must be
# noticed, not written from a stale or missing file.
#
# usage: scripts/make_corpus.sh [path/to/mprogsim [corpus-dir [name...]]]
#   corpus-dir defaults to traces/corpus; names (a mutant, correct-on-<mutant>,
#   upstream-replace-mix, upstream-replace-mix-runs-p1-twice) make only those entries
#   (scripts/test_make_corpus.sh compares them with the committed corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
mprogsim=${1:-build/default/tools/mprogsim}
corpus=${2:-traces/corpus}
only=("${@:3}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Whether the corpus entry $1 is to be made (all of them when no name was given).
wanted() {
  [ ${#only[@]} -eq 0 ] && return 0
  local name
  for name in "${only[@]}"; do [ "$name" = "$1" ] && return 0; done
  return 1
}

# Runs `mprogsim check` with the given options and prints the path of the trace of
# the first violation group it reports.
first_violation_trace() {
  rm -rf "$work/check" "$work/check.json"
  local code=0
  "$mprogsim" check "$@" --out "$work/check" --json "$work/check.json" -q >/dev/null || code=$?
  if [ "$code" -ne 1 ]; then
    echo "make_corpus: check $* exited $code, not 1 (a violation)" >&2
    exit 1
  fi
  local name
  name=$(jq -r '.violations[0].trace // empty' "$work/check.json")
  if [ -z "$name" ]; then
    echo "make_corpus: check $* lists no violation with a trace" >&2
    exit 1
  fi
  echo "$work/check/$name"
}

description() {  # $1: a mutant; its one-line description
  "$mprogsim" mutants | awk -F'\t' -v m="$1" '$1 == m { print $4 }'
}

# Shrinks trace $1 into the corpus entry $2 named $3; prints the sizes before and after.
shrink_into() {
  "$mprogsim" shrink "$1" -o "$corpus/$2.json" --name "$3" |
    sed -n 's/^  \(before\|after\)/'"$2"' \1/p'
}

concurrent=(commit-no-sync prog-put-frees-now publish-before-written del-puts-early
            reader-reloads-entry free-bundle-now reader-unlocks-early)
# The sequential mutants the default simulator campaign finds within 200,000
# executions (add-limit-off-by-one needs 63 programs; before-ignores-first and
# attach-no-estale need rarer flag combinations: the property tests catch them).
sequential=(add-skips-exists commit-keeps-zero add-ignores-last del-forgets-ref
            query-no-enospc head-tail-first-twice replace-skips-eacces del-before-no-bound
            detach-keeps-skeys skeys-dec-keeps-ingress-queue query-skips-zero-flags)
on_correct_model=(commit-no-sync prog-put-frees-now free-bundle-now)

mkdir -p "$corpus"
for mutant in "${concurrent[@]}" "${sequential[@]}"; do
  wanted "$mutant" || continue
  found=$(first_violation_trace --strategy random --mutant "$mutant" --executions 200000)
  shrink_into "$found" "$mutant" "$mutant: $(description "$mutant")"
done
for mutant in "${on_correct_model[@]}"; do
  wanted "correct-on-$mutant" || continue
  "$mprogsim" replay "$corpus/$mutant.json" --mutant none --expect-no-violation \
    --record "$work/correct.json" >/dev/null
  # The name says what the regression is; the rest is the execution as it ran.
  sed 's/^ "name": "[^"]*"/ "name": "the correct model on the '"$mutant"' interleaving"/' \
    "$work/correct.json" >"$corpus/correct-on-$mutant.json"
done

# The upstream bug zoo: each post-merge fix undone is a mutant of the upstream
# variant (docs/semantics.md, "Upstream variant"); and fetch-front-no-clamp, an
# out-of-bounds read of the upstream code.
upstream_zoo=(upstream-empty-detach-before upstream-query-null-entry-before
              upstream-miniq-bool-before fetch-front-no-clamp)
for mutant in "${upstream_zoo[@]}"; do
  wanted "$mutant" || continue
  found=$(first_violation_trace --strategy random --variant upstream --mutant "$mutant" \
    --executions 200000)
  shrink_into "$found" "$mutant" "$mutant: $(description "$mutant")"
done
# upstream-max-check-before needs 63 programs, which only the sequential campaign's
# long sequences reach. That campaign writes each violation group's sequence as a
# scenario and, when the reader-less simulator sees it, as a trace (the same trace
# `check --workload SCENARIO --readers 0` finds): the first group's trace is shrunk.
mutant=upstream-max-check-before
if wanted "$mutant"; then
  found=$(first_violation_trace --sequential --variant upstream --mutant "$mutant")
  shrink_into "$found" "$mutant" "$mutant: $(description "$mutant")"
fi

# Known findings of the code as mirrored (docs/semantics.md, U1): upstream's in-place
# replaces race a pass. The workload is the shortest one: two programs attached, then
# each replaced; the exhaustive search finds the pass (check names the finding;
# --allow-finding none makes it fail), shrink keeps it minimal.
write_mix() {  # $1: the program that replaces P2
  cat <<EOF
{"name": "upstream replace mix", "semantics": "upstream", "steps": [
  {"op": "load", "prog": "P1"}, {"op": "load", "prog": "P2"}, {"op": "load", "prog": "P3"},
  {"op": "load", "prog": "P4"}, {"op": "attach", "prog": "P1"}, {"op": "attach", "prog": "P2"},
  {"op": "attach", "prog": "P3", "replace": "P1"}, {"op": "attach", "prog": "$1", "replace": "P2"}]}
EOF
}
for case in "upstream-replace-mix P4 it runs [P1 P4], a list never committed" \
            "upstream-replace-mix-runs-p1-twice P1 it runs [P1 P1], one program twice for one packet"; do
  read -r name second what <<<"$case"
  wanted "$name" || continue
  write_mix "$second" >"$work/mix.json"
  found=$(first_violation_trace --workload "$work/mix.json" --readers 1 --passes 1 \
    --strategy dfs --preemption-bound 3 --allow-finding none)
  shrink_into "$found" "$name" \
    "$name: two in-place replaces during one pass (upstream, no grace period): $what"
done
