#!/usr/bin/env bash
# Writes the operation sequences of Spin's bounds (../shared/peers/spin/README.md) as
# scenario files, one per sequence, the way ../shared/peers/spin/b1/ was made: load
# P1-P3, attach P1, attach P2 (the setup; run with --start-readers-after 5), then
# every sequence of N operations from {attach P3 at the end, attach P3 at the front
# (BEFORE, no relative), detach an attached program}, P3 attached at most once and at
# most 3 programs attached, in that order (detaches in list order).
#
# usage: scripts/make_spin_workloads.sh N DIR PREFIX   e.g. 4 bench/spin-b2 B2
set -euo pipefail
ops=$1 dir=$2 prefix=$3
mkdir -p "$dir"
count=0

write() {  # $1: "; "-joined names, $2: the operations' JSON lines
  local file
  file=$(printf '%s/%s-%02d.json' "$dir" "$(echo "$prefix" | tr 'A-Z' 'a-z')" "$count")
  {
    printf '{\n "name": "%s #%02d: %s",\n "semantics": "v2",\n "steps": [\n' "$prefix" "$count" "$1"
    printf '  {\n   "op": "load",\n   "prog": "P%s"\n  },\n' 1 2 3
    printf '  {\n   "op": "attach",\n   "prog": "P%s",\n   "expect": "OK"\n  },\n' 1 2
    local body=${2%$'\n'}
    printf '%s\n ]\n}' "${body%,}"  # no newline at the end, as in b1/
  } >"$file"
  count=$((count + 1))
}

attach_json() {  # $1: extra flags line or empty
  printf '  {\n   "op": "attach",\n   "prog": "P3",\n%s   "expect": "OK"\n  },' "$1"
}
detach_json() {
  printf '  {\n   "op": "detach",\n   "prog": "%s",\n   "expect": "OK"\n  },' "$1"
}

# $1 operations left, $2 the attached list ("P1 P2"), $3 P3 used (0/1), $4 names, $5 JSON
gen() {
  local left=$1 list=$2 used=$3 names=$4 json=$5
  if ((left == 0)); then
    write "$names" "$json"
    return
  fi
  local sep=${names:+; }
  local n
  n=$(wc -w <<<"$list")
  if ((used == 0 && n < 3)); then
    gen $((left - 1)) "$list P3" 1 "$names${sep}append P3" "$json$(attach_json '')
"
    gen $((left - 1)) "P3 $list" 1 "$names${sep}prepend P3" "$json$(attach_json '   "flags": [
    "BEFORE"
   ],
')
"
  fi
  local p rest
  for p in $list; do
    rest=$(for q in $list; do [[ $q == "$p" ]] || printf '%s ' "$q"; done)
    rest=${rest% }
    gen $((left - 1)) "$rest" "$used" "$names${sep}detach $p" "$json$(detach_json "$p")
"
  done
}

gen "$ops" "P1 P2" 0 "" ""
echo "$count workloads in $dir"
