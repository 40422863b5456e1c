#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The layering rule (docs/architecture.md), checked on every source file: a file in
# folder F may include "G/..." only if G is F itself or a layer below F. Also, the
# two mirrored variants never include each other (model/v2 <-/-> model/upstream).
# Usage: check_layers.sh [ROOT]. Exit 0 when every include is allowed, 1 when one is
# not (one line per offending include: file:line: the rule it breaks), 2 on misuse.
set -euo pipefail
root=${1:-$(dirname "$0")/..}
[[ -d $root ]] || { echo "check_layers.sh: no such directory: $root" >&2; exit 2; }

# Each folder and the folders below it that it may include (besides itself).
declare -A allowed=(
  [common]=""
  [model]="common"
  [scenario]="model common"
  [sim]="scenario model common"
  [traces]="sim scenario model common"
  [properties]="traces sim scenario model common"
  [tools]="properties traces sim scenario model common"
  [fuzz]="tools properties traces sim scenario model common"
)
# A folder of the table that has no sources yet is skipped; a source folder missing
# from the table is an error (a new folder must be placed in the graph).
known=" ${!allowed[*]} "

status=0
cd "$root"
for dir in */; do
  folder=${dir%/}
  has_sources=$(find "$folder" -type f \( -name '*.cc' -o -name '*.h' \) -print -quit)
  [[ -z $has_sources ]] && continue
  case $folder in build | scripts | docs) continue ;; esac
  if [[ $known != *" $folder "* ]]; then
    echo "$folder/: a source folder that is not in the layer table of scripts/check_layers.sh"
    status=1
    continue
  fi
  ok=" $folder ${allowed[$folder]} "
  while IFS=: read -r file line text; do
    target=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"/]+)\/.*/\1/' <<<"$text")
    if [[ $ok != *" $target "* ]]; then
      echo "$file:$line: $folder/ may not include $target/ (allowed: ${allowed[$folder]:-nothing})"
      status=1
    fi
    case $file in
      model/v2/*) [[ $text == *'"model/upstream/'* ]] && { echo "$file:$line: model/v2 may not include model/upstream"; status=1; } ;;
      model/upstream/*) [[ $text == *'"model/v2/'* ]] && { echo "$file:$line: model/upstream may not include model/v2"; status=1; } ;;
    esac
  done < <(grep -rnE --include='*.cc' --include='*.h' '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"/]+/' "$folder" || true)
done
exit $status
