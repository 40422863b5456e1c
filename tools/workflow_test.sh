#!/usr/bin/env bash
# The kernel developer's loop and CI at scale (issue 11), one case per CTest test
# (tools/CMakeLists.txt, label `workflow`): machine-readable results, --jobs,
# --shard and merge, every violation at once, SIGINT, export --selftest.
#
# usage: workflow_test.sh MPROGSIM WORKDIR CASE
set -uo pipefail
mprogsim=$1
work=$2/$3
case_name=$3
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

fail() {
  echo "FAIL ($case_name): $*" >&2
  exit 1
}

# run EXPECTED-EXIT ARGS...: runs mprogsim, output in out.txt / err.txt.
run() {
  local expect=$1
  shift
  "$mprogsim" "$@" >out.txt 2>err.txt
  local code=$?
  [ "$code" -eq "$expect" ] || fail "mprogsim $*: exit $code, expected $expect: $(head -c 400 err.txt)"
}

case "$case_name" in
# --json and --junit: versioned, deterministic, what the run printed.
json)
  run 1 check -q --strategy random --executions 4000 --mutant reader-reloads-entry --out t --json a.json --junit a.xml
  python3 - a.json a.xml <<'EOF' || fail "summary: $(head -c 600 a.json)"
import json, sys, xml.etree.ElementTree as ET
j = json.load(open(sys.argv[1]))
assert j["format"] == "mprogsim-results" and j["version"] == 2, j
assert j["executions"] == 4000 and j["exit"] == 1 and j["result"] == "violation"
v = j["violations"][0]
assert v["property"] == "snapshot" and v["trace"].endswith(".json") and v["count"] >= 1, v
suite = ET.parse(sys.argv[2]).getroot().find("testsuite")
failures = [c for c in suite.findall("testcase") if c.find("failure") is not None]
assert [c.get("name") for c in failures] == ["snapshot"], [c.get("name") for c in failures]
assert "saw" in failures[0].find("failure").get("message")
EOF
  [ -f "t/$(python3 -c 'import json;print(json.load(open("a.json"))["violations"][0]["trace"])')" ] ||
    fail "the summary names a trace that is not under --out"
  run 1 check -q --strategy random --executions 4000 --mutant reader-reloads-entry --out t2 --json b.json
  cmp a.json b.json || fail "two runs wrote different summaries"
  # --explain names the arguments that decide each control step, in the compact form
  # replay prints a step in, without the result (on the step's "ends step" event).
  run 0 replay "$root/traces/corpus/upstream-replace-mix.json" --explain
  grep -q '^  step 7 (\$\.steps\[6\]): attach P3 flags=REPLACE replace=P1$' out.txt ||
    fail "--explain: $(grep '^  step' out.txt | head -10)"
  grep -q '^  step 5 (\$\.steps\[4\]): attach P1$' out.txt ||
    fail "--explain shows an argument left at 0: $(grep '^  step 5 ' out.txt)"
  grep -q ' ends step 7: attach P3 flags=REPLACE replace=P1 -> OK | ' out.txt ||
    fail "--explain's list and event line differ: $(grep 'ends step 7' out.txt)"
  # ... the entry each reader pass walked, and the mirror's line behind each event.
  grep -q 'R1   pass 1 saw \[P1 P4\], walking entry a of tcx_entry#1 (loaded at schedule step 7)$' out.txt ||
    fail "--explain names no entry: $(grep 'pass 1 saw' out.txt)"
  grep -q 'R1   rcu_dereference dev->tcx_ingress -> tcx_entry#1.a  *mirror: model/upstream/tcx.cc:[0-9]* tcx_run$' out.txt ||
    fail "--explain names no mirror line: $(grep rcu_dereference out.txt)"
  # --explain gives every argument as the kernel receives it, and the expectation.
  run 0 replay "$root/traces/corpus/replace-skips-eacces.json" --explain
  grep -q '^  step 5 (\$\.steps\[4\]): attach P1 flags=REPLACE|LAST relative=P1 by fd expect EACCES$' out.txt ||
    fail "--explain: $(grep '^  step' out.txt | head -10)"
  # The plain step lines show the deciding arguments too: the buffer behind ENOSPC.
  run 0 replay "$root/traces/scenarios/v2/42-query-short-buffer-enospc.json"
  grep -q '^step 9: query buffer=2 -> ENOSPC count=3 ' out.txt ||
    fail "step line without its buffer: $(grep 'step 9:' out.txt)"
  # One step numbering (docs/scenario-format.md, "Step numbers"): a bad file's path
  # counts from 0 and names the scenario of an array; the step, from 1, follows.
  cat >two.json <<'EOF2'
[{"semantics": "v2", "steps": [{"op": "load", "prog": "P1"}]},
 {"semantics": "v2", "steps": [{"op": "load", "prog": "P1"}, {"op": "attach", "prog": "P2"}]}]
EOF2
  run 2 replay two.json
  grep -qx "two.json: \$\[1\].steps\[1\]: 'P2' is not a loaded program (step 2)" err.txt ||
    fail "bad-file step numbering: $(cat err.txt)"
  run 1 check -q --strategy random --executions 3000 --mutant free-bundle-now --stop-at-first --no-shrink --out t3 --json c.json
  grep -q 'freed by C at schedule step [0-9]' out.txt || fail "a schedule step not called one: $(head -3 out.txt)"
  python3 -c 'import json; v=json.load(open("c.json"))["violations"][0]["first"]; assert "schedule_step" in v and "step" not in v, v' ||
    fail "results JSON: first.step is a schedule step: $(cat c.json)"
  # replay and diff write theirs too.
  run 0 replay "$root/traces/corpus/commit-no-sync.json" "$root/traces/scenarios/v2/01-plain-append-query-run-refs.json" --json r.json --junit r.xml
  python3 -c 'import json,sys; j=json.load(open("r.json")); assert j["command"]=="replay" and len(j["files"])==2 and j["failed"]==0 and j["exit"]==0, j' ||
    fail "replay summary: $(cat r.json)"
  grep -q 'tests="2" failures="0"' r.xml || fail "replay junit: $(cat r.xml)"
  run 1 diff v2 v2+query-no-enospc --depth 5 --random 0 --json d.json
  python3 -c 'import json,sys; j=json.load(open("d.json")); assert j["command"]=="diff" and j["differences"] and j["differences"][0]["steps"], j' ||
    fail "diff summary: $(head -c 600 d.json)"
  ;;

# --jobs: the same bytes on stdout, in the summary and in every trace.
jobs)
  args="check -q --strategy random --executions 20000 --mutant reader-reloads-entry"
  # shellcheck disable=SC2086
  run 1 $args --out j1 --json j1.json
  mv out.txt j1.txt
  # shellcheck disable=SC2086
  run 1 $args --out j2 --json j2.json --jobs 2
  mv out.txt j2.txt
  sed 's#j2/#j1/#g' j2.txt | cmp - j1.txt || fail "--jobs 2 printed otherwise"
  cmp j1.json j2.json || fail "--jobs 2 wrote another summary"
  diff -r j1 j2 || fail "--jobs 2 wrote other traces"
  # The portfolio's small scope (dpor over an enumeration) too.
  run 0 check -q --variant upstream --enumerate --ops 3 --start-readers-after 5 --out e1 --json e1.json
  run 0 check -q --variant upstream --enumerate --ops 3 --start-readers-after 5 --out e2 --json e2.json --jobs 3
  cmp e1.json e2.json || fail "--jobs 3 changed the enumeration's summary"
  ;;

# --shard I/N + merge: byte for byte the unsharded summary.
shard)
  args="check -q --mutant reader-reloads-entry --strategy random --executions 10000"
  # shellcheck disable=SC2086
  run 1 $args --out all --json all.json
  for i in 1 2 3; do
    # shellcheck disable=SC2086
    "$mprogsim" $args --out "s$i" --json "s$i.json" --shard "$i/3" >/dev/null 2>&1
    [ $? -le 1 ] || fail "shard $i/3 failed"
  done
  run 1 merge s3.json s1.json s2.json --json merged.json
  cmp all.json merged.json || fail "merge differs from the unsharded summary: $(diff all.json merged.json | head -20)"
  run 2 merge s1.json s2.json --json bad.json
  grep -q "shards of 3, but 2 were given" err.txt || fail "$(cat err.txt)"
  run 2 merge s1.json s1.json s2.json --json bad.json
  grep -q "given twice" err.txt || fail "$(cat err.txt)"
  "$mprogsim" check -q --strategy random --executions 10000 --out x --json other.json --shard 1/3 >/dev/null
  run 2 merge other.json s2.json s3.json --json bad.json
  grep -q "different options" err.txt || fail "$(cat err.txt)"
  # Enumerated dpor series shard too.
  e="check -q --enumerate --ops 3 --start-readers-after 5"
  # shellcheck disable=SC2086
  run 0 $e --out e --json e.json
  # shellcheck disable=SC2086
  run 0 $e --out e1 --json e1.json --shard 1/2
  # shellcheck disable=SC2086
  run 0 $e --out e2 --json e2.json --shard 2/2
  run 0 merge e1.json e2.json --json em.json
  cmp e.json em.json || fail "merged enumeration differs"
  ;;

# Every violation at once: a mutant with several failure modes (reader-unlocks-early:
# a torn list, a read of a freed entry, a run of a freed program) reports each group,
# each with a trace that replays; --stop-at-first reports one.
every-violation)
  run 1 check -q --strategy random --executions 20000 --mutant reader-unlocks-early --out all
  groups=$(grep -c '^VIOLATION ' out.txt)
  [ "$groups" -ge 3 ] || fail "expected three violation groups: $(grep '^VIOLATION' out.txt)"
  grep -q '^VIOLATION snapshot' out.txt && grep -q '^VIOLATION use-after-free' out.txt ||
    fail "expected a torn list and a use-after-free: $(grep '^VIOLATION' out.txt)"
  for f in all/*.json; do "$mprogsim" replay -q "$f" >/dev/null || fail "$f does not replay"; done
  run 1 check -q --strategy random --executions 20000 --mutant reader-unlocks-early --out one --stop-at-first
  [ "$(grep -c '^VIOLATION ' out.txt)" -eq 1 ] || fail "--stop-at-first: $(grep '^VIOLATION' out.txt)"
  # --no-shrink writes the execution as found; shrinking makes it smaller.
  run 1 check -q --strategy random --executions 20000 --mutant commit-no-sync --out raw --no-shrink --stop-at-first
  run 1 check -q --strategy random --executions 20000 --mutant commit-no-sync --out small --stop-at-first
  [ "$(stat -c %s small/*.json)" -lt "$(stat -c %s raw/*.json)" ] || fail "the shrunk trace is not smaller"
  # A sequential violation is also written as a trace that shrink accepts.
  run 1 check -q --sequential --mutant del-before-no-bound --out seq --stop-at-first
  trace=$(sed -n 's/^trace (the simulator.*): //p' out.txt)
  [ -n "$trace" ] || fail "no trace: $(cat out.txt)"
  run 0 shrink "$trace" -o shrunk.json
  ;;

# SIGINT: the summary so far, exit 130.
sigint)
  python3 - "$mprogsim" <<'EOF' || fail "SIGINT"
import signal, subprocess, sys, time, json
p = subprocess.Popen([sys.argv[1], "check", "-q", "--strategy", "random", "--executions",
                      "1000000000", "--out", "o", "--json", "s.json"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
time.sleep(1.5)
p.send_signal(signal.SIGINT)
out, err = p.communicate(timeout=60)
assert p.returncode == 130, (p.returncode, err)
assert b"interrupted: the summary so far" in out, out
j = json.load(open("s.json"))
assert j["interrupted"] and j["exit"] == 130 and j["executions"] > 0, j
EOF
  ;;

# validate: the four parts in one report (here upstream against v2: they differ).
validate)
  run 1 validate upstream --base v2 --depth 3 --time-budget 3 --out v --json v.json
  for part in "-- 1. v2's scenarios" "-- 2. v2's corpus traces" "-- 3. diff v2 upstream" "-- 4. check --variant upstream"; do
    grep -qF -- "$part" out.txt || fail "no part '$part'"
  done
  python3 -c 'import json; j=json.load(open("v.json")); assert j["command"]=="validate" and j["diff"]["differences"] and j["scenarios"]["files"]>0, j["scenarios"]' ||
    fail "validate json"
  run 2 validate v2 --base v2
  run 2 validate nosuchvariant
  ;;

# Options that cannot do what they say are refused.
options)
  for bad in "--shard 0/2" "--shard 3/2" "--shard 1/0" "--shard x" "--shard 1/2 --stop-at-first" \
             "--jobs 0" "--strategy dfs --shard 1/2"; do
    # shellcheck disable=SC2086
    run 2 check $bad --out o
    [ ! -s out.txt ] || fail "$bad printed on stdout"
  done
  run 2 check --json /dev/full
  run 0 --version
  grep -q '^mprogsim [0-9]' out.txt || fail "--version: $(cat out.txt)"
  run 0 check --help
  grep -q -- '--seed UINT=1' out.txt || fail "check --help shows no defaults"
  ;;

*)
  fail "unknown case"
  ;;
esac
exit 0
