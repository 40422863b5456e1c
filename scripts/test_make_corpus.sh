#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/make_corpus.sh regenerates the committed corpus byte for byte: runs it (for
# the given entries, or for all of them) into a scratch directory and compares each
# file with traces/corpus/. Without names, the two directories must also hold the same
# files (a corpus entry the script no longer makes, or a new one, fails).
# Usage: test_make_corpus.sh MPROGSIM [name...]. All entries: about 2 minutes (label long).
set -euo pipefail
[[ $# -ge 1 && -x $1 ]] || { echo "usage: test_make_corpus.sh MPROGSIM [name...]" >&2; exit 2; }
mprogsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bash "$root/scripts/make_corpus.sh" "$mprogsim" "$work/corpus" "${@:2}" >"$work/log" ||
  { cat "$work/log"; echo "test_make_corpus: make_corpus.sh failed"; exit 1; }
made=$(cd "$work/corpus" && ls)
if [ $# -eq 1 ]; then
  committed=$(cd "$root/traces/corpus" && ls)
  [ "$made" = "$committed" ] ||
    { diff <(echo "$committed") <(echo "$made"); echo "test_make_corpus: other files"; exit 1; }
else
  [ "$(echo "$made" | wc -l)" -eq $(($# - 1)) ] ||
    { echo "test_make_corpus: made [$made] for ${*:2}"; exit 1; }
fi
status=0
for file in $made; do
  cmp -s "$work/corpus/$file" "$root/traces/corpus/$file" || {
    diff "$root/traces/corpus/$file" "$work/corpus/$file" | head -20
    echo "test_make_corpus: $file differs from traces/corpus/$file"
    status=1
  }
done
[ $status -eq 0 ] && echo "test_make_corpus: $(echo "$made" | wc -l) files as committed"
exit $status
