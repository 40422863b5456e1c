#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The developer's loop of issue 11, scripted on a copy of the tree: copy v2 with
# scripts/new-variant.sh, change one line of the copy (the query's buffer check off by
# one: ENOSPC when the buffer fits exactly), rebuild only mprogsim, and run the one
# validating command. Its report must name every difference from v2 with its shortest
# example and every violation with a trace that replays (and exit 1); the unchanged
# copy must behave as v2 (exit 0 for the scenarios, traces and diff).
# Usage: test_validate.sh SOURCE_DIR WORK_DIR. A build of the copy: minutes (label long).
set -euo pipefail
[[ $# -eq 2 && -d $1 ]] || { echo "usage: test_validate.sh SOURCE_DIR WORK_DIR" >&2; exit 2; }
src=$(cd "$1" && pwd)
work=$2
copy=$work/src
rm -rf "$copy"
mkdir -p "$copy"
(cd "$src" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$src" && xargs -0 cp --parents -t "$copy")
fail() { echo "test_validate: $*"; exit 1; }

bash "$copy/scripts/new-variant.sh" v2fix --from v2 >/dev/null
# The one-line change.
line='if (attr->count < count) {'
grep -qF "$line" "$copy/model/v2fix/bpf_mprog.cc" || fail "the line to change is not in model/v2fix/bpf_mprog.cc"
sed -i "s/if (attr->count < count) {/if (attr->count <= count) {/" "$copy/model/v2fix/bpf_mprog.cc"

(cd "$copy" && cmake --preset default) >"$work/configure.log" 2>&1 || fail "configure: $work/configure.log"
cmake --build "$copy/build/default" -j2 --target mprogsim >"$work/build.log" 2>&1 || fail "build: $work/build.log"
m=$copy/build/default/tools/mprogsim

status=0
"$m" validate v2fix --base v2 --out "$work/out" --json "$work/report.json" >"$work/report.txt" 2>&1 || status=$?
[[ $status -eq 1 ]] || fail "validate exit $status, expected 1: $(tail -5 "$work/report.txt")"
python3 - "$work/report.json" "$work/out" "$m" <<'PY' || fail "report: $(head -c 2000 "$work/report.txt")"
import json, os, subprocess, sys
j = json.load(open(sys.argv[1]))
out, m = sys.argv[2], sys.argv[3]
assert j["command"] == "validate" and j["variant"] == "v2fix" and j["base"] == "v2", j
diffs = j["diff"]["differences"]
assert diffs, "no difference found"
assert any("query" in d["kind"] for d in diffs), [d["kind"] for d in diffs]
for d in diffs:
    assert d["steps"] and any(s["differs"] for s in d["steps"]), d
assert j["scenarios"]["failed"] > 0, "no v2 scenario noticed the change"
violations = j["check"]["violations"]
assert violations, "the check campaign found no violation"
for v in violations:
    trace = os.path.join(out, v["trace"])
    assert os.path.exists(trace), trace
    r = subprocess.run([m, "replay", "-q", trace], capture_output=True)
    assert r.returncode == 0, (trace, r.stdout[-500:])
PY
grep -q '^-- 3. diff v2 v2fix' "$work/report.txt" || fail "no diff part"
echo "validate v2fix (query buffer off by one): $(python3 -c "import json;j=json.load(open('$work/report.json'));print(len(j['diff']['differences']), 'kinds of difference,', len(j['check']['violations']), 'violation groups,', j['scenarios']['failed'], 'scenarios with mismatches')")"
