#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A new variant is one folder plus one registry line (docs/architecture.md, "Adding a
# variant"), and a folder missing a piece does not compile. Shown on a copy of the
# tree: model/v2copy/ is model/v2/ under another name (namespace, paths and registry
# name renamed; its unit tests left out), model/variants.def gains one line, and
# nothing else changes. Then:
#   1. mprogsim builds; every hand-written v2 scenario, relabelled v2copy, replays and
#      passes; `diff v2 v2copy` finds no difference; a simulator check of v2copy
#      passes, and with a concurrent mutant it fails (the mutants belong to it);
#   2. without a registry field, the folder fails to compile, naming VariantFolder;
#      without its spec, naming MirrorPieces.
# Usage: test_new_variant.sh SOURCE_DIR WORK_DIR. Exit 0 when all holds, 1 when not,
# 2 on misuse. A full build of the copy: minutes (label `long`, not in CI).
set -euo pipefail
[[ $# -eq 2 && -d $1 ]] || { echo "usage: test_new_variant.sh SOURCE_DIR WORK_DIR" >&2; exit 2; }
src=$(cd "$1" && pwd)
work=$2
copy=$work/src
rm -rf "$copy"
mkdir -p "$copy"
# The tracked and new files of the tree, as they are now (not the build).
(cd "$src" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$src" && xargs -0 cp --parents -t "$copy")

# The new folder: v2 renamed.
cp -r "$copy/model/v2" "$copy/model/v2copy"
rm -f "$copy"/model/v2copy/*_test.cc
sed -i -e 's/mprogsim::v2\b/mprogsim::v2copy/g' -e 's|model/v2/|model/v2copy/|g' \
  -e 's/\bv2::/v2copy::/g' -e 's/kName = "v2"/kName = "v2copy"/' "$copy"/model/v2copy/*
# The registry line.
echo 'MPROGSIM_VARIANT(kV2copy, v2copy)' >>"$copy/model/variants.def"

fail() { echo "test_new_variant: $*"; exit 1; }
build=$copy/build/default
# The default preset, as the tree's own build (same flags: a compiler cache hits).
(cd "$copy" && cmake --preset default) >"$work/configure.log" 2>&1 ||
  fail "configure failed: $work/configure.log"
cmake --build "$build" -j2 --target mprogsim >"$work/build.log" 2>&1 ||
  fail "the copy with model/v2copy/ does not build: $work/build.log"
m=$build/tools/mprogsim

scenarios=0
for file in "$copy"/traces/scenarios/v2/*.json; do
  sed 's/"semantics": *"v2"/"semantics": "v2copy"/' "$file" >"$work/scenario.json"
  "$m" replay -q "$work/scenario.json" >/dev/null || fail "v2copy fails $(basename "$file")"
  scenarios=$((scenarios + 1))
done
[[ $scenarios -gt 0 ]] || fail "no v2 scenario found"
"$m" diff v2 v2copy --depth 3 >/dev/null || fail "diff v2 v2copy found a difference"
rm -rf "$work/out"
"$m" check -q --variant v2copy --strategy random --executions 200 --out "$work/out" >/dev/null ||
  fail "check --variant v2copy did not pass"
status=0
"$m" check -q --variant v2copy --mutant commit-no-sync --out "$work/out" >/dev/null || status=$?
[[ $status -eq 1 ]] || fail "check --variant v2copy --mutant commit-no-sync: exit $status, not 1"

# A missing piece fails to compile, naming what misses it: a registry field
# (VariantFolder), then the spec the folder's Mirror names (MirrorPieces).
h=$copy/model/v2copy/variant.h
cc=$copy/model/v2copy/variant.cc
cp "$h" "$work/variant.h.orig"
sed -i '/static constexpr bool kEmptyHookAnswers/d' "$h"
if cmake --build "$build" -j2 --target mprog_model >"$work/missing.log" 2>&1; then
  fail "model/v2copy/ without kEmptyHookAnswers compiled"
fi
grep -q "VariantFolder" "$work/missing.log" || fail "the missing field's error does not name VariantFolder"
cp "$work/variant.h.orig" "$h"
sed -i '/using Spec = MprogSpec;/d' "$cc"
if cmake --build "$build" -j2 --target mprog_model >"$work/missing-spec.log" 2>&1; then
  fail "model/v2copy/ without its spec compiled"
fi
grep -q "MirrorPieces" "$work/missing-spec.log" || fail "the missing spec's error does not name MirrorPieces"
echo "v2copy: $scenarios scenarios pass, no difference from v2, check passes and finds commit-no-sync; without a registry field or its spec it does not compile"
