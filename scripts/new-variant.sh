#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Copies a modelled variant under a new name, so that a change can be tried on the
# copy and compared with the original (docs/architecture.md, "Adding a variant"):
#
#   scripts/new-variant.sh NAME --from v2
#
# model/NAME/ becomes model/v2/ with its namespace, include paths and registry name
# renamed (its unit tests are left out: they test v2), and model/variants.def gains
# one line. Then edit model/NAME/, rebuild only the command line, and validate:
#
#   cmake --build --preset default --target mprogsim
#   build/default/tools/mprogsim validate NAME --base v2
#
# NAME: a lower-case C++ identifier that is not a variant yet. Run from anywhere in
# the source tree. Exit 0 done, 2 misuse (nothing is changed then).
set -euo pipefail
usage() { echo "usage: new-variant.sh NAME --from VARIANT" >&2; exit 2; }
[[ $# -eq 3 && $2 == --from ]] || usage
name=$1
from=$3
root=$(cd "$(dirname "$0")/.." && pwd)
registry=$root/model/variants.def
[[ $name =~ ^[a-z][a-z0-9_]{0,30}$ ]] || { echo "new-variant: NAME must match [a-z][a-z0-9_]* (at most 31 characters), not '$name'" >&2; exit 2; }
grep -q "^MPROGSIM_VARIANT([^,]*, $from)\$" "$registry" ||
  { echo "new-variant: no variant '$from' in model/variants.def" >&2; exit 2; }
if grep -q "^MPROGSIM_VARIANT([^,]*, $name)\$" "$registry" || [[ -e $root/model/$name ]]; then
  echo "new-variant: '$name' exists already (model/$name or model/variants.def)" >&2
  exit 2
fi
# The registry's enumerator: kV2fix for v2fix.
enumerator=k$(tr '[:lower:]' '[:upper:]' <<<"${name:0:1}")${name:1}
cp -r "$root/model/$from" "$root/model/$name"
rm -f "$root/model/$name"/*_test.cc
sed -i -e "s/mprogsim::$from\\b/mprogsim::$name/g" -e "s|model/$from/|model/$name/|g" \
  -e "s/\\b$from::/$name::/g" -e "s/kName = \"$from\"/kName = \"$name\"/" "$root/model/$name"/*
echo "MPROGSIM_VARIANT($enumerator, $name)" >>"$registry"
echo "new-variant: model/$name/ is model/$from/ renamed, and model/variants.def names it."
echo "Edit model/$name/, then:"
echo "  cmake --build --preset default --target mprogsim && build/default/tools/mprogsim validate $name --base $from"
