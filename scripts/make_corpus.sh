#!/usr/bin/env bash
# Regenerates traces/corpus/ from scratch: for each mutant the seeded campaign
# finds, `mprogsim check` writes the failing trace and `mprogsim shrink` minimizes
# it into traces/corpus/<mutant>.json; a few of the concurrent ones, replayed on the
# correct model, become regression traces that must keep passing
# (traces/corpus/correct-on-<mutant>.json). Deterministic: same binary, same files.
#
# usage: scripts/make_corpus.sh [path/to/mprogsim]
set -euo pipefail
cd "$(dirname "$0")/.."
mprogsim=${1:-build/default/tools/mprogsim}
corpus=traces/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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
  rm -rf "$work/check"
  "$mprogsim" check --strategy random --mutant "$mutant" --executions 200000 --out "$work/check" -q >/dev/null || true
  found=$(ls "$work/check"/*.json)
  description=$("$mprogsim" mutants | awk -F'\t' -v m="$mutant" '$1 == m { print $4 }')
  "$mprogsim" shrink "$found" -o "$corpus/$mutant.json" --name "$mutant: $description" |
    sed -n 's/^  \(before\|after\)/'"$mutant"' \1/p'
done
for mutant in "${on_correct_model[@]}"; do
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
  rm -rf "$work/check"
  "$mprogsim" check --strategy random --variant upstream --mutant "$mutant" --executions 200000 \
    --out "$work/check" -q >/dev/null || true
  found=$(ls "$work/check"/*.json)
  description=$("$mprogsim" mutants | awk -F'\t' -v m="$mutant" '$1 == m { print $4 }')
  "$mprogsim" shrink "$found" -o "$corpus/$mutant.json" --name "$mutant: $description" |
    sed -n 's/^  \(before\|after\)/'"$mutant"' \1/p'
done
# upstream-max-check-before needs 63 programs, which only the sequential campaign's
# long sequences reach; its scenario then runs as a reader-less simulator workload.
mutant=upstream-max-check-before
rm -rf "$work/check" "$work/seq"
"$mprogsim" check --sequential --variant upstream --mutant "$mutant" --out "$work/seq" -q \
  >/dev/null || true
"$mprogsim" check --workload "$(ls "$work/seq"/*.json)" --readers 0 --executions 1 \
  --mutant "$mutant" --out "$work/check" -q >/dev/null || true
description=$("$mprogsim" mutants | awk -F'\t' -v m="$mutant" '$1 == m { print $4 }')
"$mprogsim" shrink "$(ls "$work/check"/*.json)" -o "$corpus/$mutant.json" \
  --name "$mutant: $description" | sed -n 's/^  \(before\|after\)/'"$mutant"' \1/p'

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
  write_mix "$second" >"$work/mix.json"
  rm -rf "$work/check"
  "$mprogsim" check --workload "$work/mix.json" --readers 1 --passes 1 --strategy dfs \
    --preemption-bound 3 --allow-finding none --out "$work/check" -q >/dev/null || true
  "$mprogsim" shrink "$(ls "$work/check"/*.json)" -o "$corpus/$name.json" \
    --name "$name: two in-place replaces during one pass (upstream, no grace period): $what" |
    sed -n 's/^  \(before\|after\)/'"$name"' \1/p'
done
