#!/usr/bin/env bash
# Hostile input to the command line (issue 10, part D), one case per CTest test
# (tools/CMakeLists.txt, label `hostile`): every case is a reproduction that failed
# before its fix. A refused input must give exit 2, nothing on stdout and exactly one
# line on stderr; nothing may crash, hang, grow without bound or leave a file behind.
#
# usage: hostile_input_test.sh MPROGSIM WORKDIR CASE [SANITIZED]
# SANITIZED is 1 in sanitizer builds, where virtual memory limits cannot be used
# (ASan reserves terabytes of address space up front).
set -uo pipefail
mprogsim=$1
work=$2/$3
case_name=$3
sanitized=${4:-0}
corpus=$(cd "$(dirname "$0")/.." && pwd)/traces/corpus
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

fail() {
  echo "FAIL ($case_name): $*" >&2
  exit 1
}

# refused WHAT EXPECTED-TEXT -- ARGS...: exit 2, empty stdout, one stderr line that
# contains EXPECTED-TEXT.
refused() {
  local what=$1 expect=$2
  shift 3
  "$mprogsim" "$@" >out.txt 2>err.txt
  local code=$?
  [ "$code" -eq 2 ] || fail "$what: exit $code, expected 2 (stderr: $(head -c 300 err.txt))"
  [ ! -s out.txt ] || fail "$what: printed on stdout: $(head -c 300 out.txt)"
  [ "$(wc -l <err.txt)" -eq 1 ] || fail "$what: stderr is not one line: $(head -c 300 err.txt)"
  grep -qF -- "$expect" err.txt || fail "$what: stderr lacks '$expect': $(cat err.txt)"
}

# A small scenario with one query step; $1 is the step's extra JSON.
scenario() {
  printf '{"semantics":"v2","steps":[{"op":"load","prog":"P1"},{"op":"attach","prog":"P1"}%s]}\n' "$1"
}

case "$case_name" in

# 11: the atomic writer replaces no special file, follows no planted link.
special-targets)
  mkfifo fifo
  mkdir dir
  ln -s /dev/full link-to-device
  echo precious >victim
  ln -s victim link-to-file
  for target in fifo dir link-to-device link-to-file; do
    refused "shrink -o $target" "not a regular file" -- shrink "$corpus/commit-no-sync.json" -o "$target"
    refused "replay --dot $target" "not a regular file" -- replay "$corpus/commit-no-sync.json" --dot "$target"
    refused "replay --record $target" "not a regular file" -- replay "$corpus/commit-no-sync.json" --record "$target"
  done
  [ -p fifo ] && [ -d dir ] && [ -L link-to-device ] && [ -L link-to-file ] || fail "a target was replaced"
  [ "$(cat victim)" = precious ] || fail "the file behind a symlink was written"
  [ "$(ls -A | sort | tr '\n' ' ')" = "dir err.txt fifo link-to-device link-to-file out.txt victim " ] ||
    fail "files left behind: $(ls -A)"
  ;;
planted-temporary)
  echo precious >victim
  ln -s victim out.json.tmp
  "$mprogsim" shrink "$corpus/commit-no-sync.json" -o out.json >/dev/null || fail "shrink failed"
  [ "$(cat victim)" = precious ] || fail "the planted .tmp symlink was followed"
  "$mprogsim" replay out.json >/dev/null || fail "the shrunk trace does not replay"
  ;;

# 12: long names are an error, not a stack overflow; so is deep nesting.
long-name)
  python3 -c 'import json,sys; print(json.dumps({"semantics":"v2","steps":[{"op":"load","prog":"P"*30000}]}))' >long.json
  refused "replay" "\$.steps[0].prog: a name has at most 64 characters, not 30000" -- replay long.json
  refused "check --workload" "at most 64 characters" -- check -q --workload long.json --executions 1
  python3 - "$corpus/commit-no-sync.json" <<'EOF' >long-trace.json
import json, sys
t = json.load(open(sys.argv[1]))
t["steps"][0]["prog"] = "P" * 30000
print(json.dumps(t))
EOF
  refused "shrink" "at most 64 characters" -- shrink long-trace.json -o never.json
  [ ! -e never.json ] || fail "shrink wrote a file"
  ;;
deep-nesting)
  python3 -c 'print("[" * 1000000 + "]" * 1000000)' >deep.json
  refused "replay" "nested deeper than 64 levels" -- replay deep.json
  refused "shrink" "nested deeper than 64 levels" -- shrink deep.json -o never.json
  ;;

# 13: two runs never write the same trace file, even at the same time.
trace-names)
  random="check -q --stop-at-first --strategy random --mutant reader-reloads-entry --out traces"
  # shellcheck disable=SC2086
  "$mprogsim" $random --readers 2 >/dev/null
  # shellcheck disable=SC2086
  "$mprogsim" $random --readers 3 >/dev/null
  # shellcheck disable=SC2086
  "$mprogsim" $random --readers 3 >/dev/null
  "$mprogsim" check -q --stop-at-first --sequential --mutant query-no-enospc --out traces >/dev/null
  "$mprogsim" check -q --stop-at-first --sequential --mutant add-skips-exists --out traces >/dev/null
  # (A run may also write traces of known findings beside its own.)
  [ "$(ls traces/v2-reader-reloads-entry-* | wc -l)" -eq 3 ] || fail "expected 3 traces: $(ls traces)"
  [ "$(ls traces/check-v2-* | wc -l)" -eq 2 ] || fail "expected 2 scenarios: $(ls traces)"
  # Concurrent runs with the same options: two intact traces, never a shared
  # temporary file.
  for i in 1 2 3 4; do
    "$mprogsim" check -q --stop-at-first --strategy random --mutant commit-no-sync --out same >/dev/null &
  done
  wait
  [ "$(ls -A same | grep -c '^v2-commit-no-sync-')" -eq 4 ] || fail "expected 4 traces: $(ls -A same)"
  [ -z "$(ls -A same | grep '^\.')" ] || fail "temporary files left: $(ls -A same)"
  for f in same/v2-commit-no-sync-*.json; do "$mprogsim" replay -q "$f" >/dev/null || fail "$f does not replay"; done
  ;;

# 14: bounded memory whatever the input says.
query-buffer)
  # The harness used to allocate the user's count: 4 x 16 GB.
  scenario ',{"op":"query","buffer":4294967295,"expect":"OK","expect_count":1,"expect_progs":["P1"]}' >q.json
  sed 's/"v2"/"upstream"/' q.json >qu.json
  [ "$sanitized" = 1 ] || ulimit -v 2000000
  "$mprogsim" replay q.json >out.txt 2>err.txt || fail "v2: exit $?: $(cat err.txt)"
  "$mprogsim" replay qu.json >out.txt 2>err.txt || fail "upstream: exit $?: $(cat err.txt)"
  ;;
input-size)
  refused "replay /dev/zero" "larger than 64 MiB" -- replay /dev/zero
  refused "shrink /dev/zero" "larger than 64 MiB" -- shrink /dev/zero -o never.json
  refused "check --workload /dev/zero" "larger than 64 MiB" -- check --workload /dev/zero
  refused "replay a directory" "is a directory" -- replay .
  ;;
trace-bounds)
  python3 - "$corpus/commit-no-sync.json" <<'EOF' >passes.json
import json, sys
t = json.load(open(sys.argv[1]))
t["readers"] = 8
t["passes"] = 100000
t["schedule"] = []
del t["outcome"]
print(json.dumps(t))
EOF
  refused "--dot, 8 readers x 100000 passes" "\$.passes: at most 1000 passes" -- replay passes.json --dot x.dot
  python3 - "$corpus/commit-no-sync.json" <<'EOF' >schedule.json
import json, sys
t = json.load(open(sys.argv[1]))
t["schedule"] = [["C", 100000000]]
print(json.dumps(t))
EOF
  refused "a 10^8-step schedule" "count must be 1..5000000" -- replay schedule.json
  ;;
diff-bounds)
  refused "diff --depth 4000000000" "--depth" -- diff v2 v2 --depth 4000000000
  refused "diff --depth 13" "--depth" -- diff v2 v2 --depth 13
  refused "diff --progs 1000" "--progs" -- diff v2 v2 --progs 1000
  refused "diff --random 4000000000" "--random" -- diff v2 v2 --random 4000000000
  ;;
out-of-memory)
  # Any allocation failure is exit 2 with a message, not an abort (exit 134).
  [ "$sanitized" = 1 ] && exit 0
  python3 -c '
import json
steps = [{"op": "load", "prog": "P%d" % i} for i in range(400000)]
print(json.dumps({"semantics": "v2", "steps": steps}))' >many.json
  ( ulimit -v 150000; "$mprogsim" replay -q many.json >out.txt 2>err.txt; echo $? >code )
  [ "$(cat code)" -eq 2 ] || fail "exit $(cat code), expected 2: $(head -c 300 err.txt)"
  grep -q "out of memory" err.txt || fail "no message: $(cat err.txt)"
  ;;

# 15: replay is O(n log n) in the steps (measured by sim_bench
# BM_ReplayLoadCloseReload); here 100,000 steps must simply complete (they never did).
many-steps)
  python3 - <<'EOF' >steps.json
import json
steps = [{"op": "load", "prog": "P%d" % i} for i in range(80000)]
steps += [{"op": "prog_close", "prog": "P%d" % i} for i in range(0, 40000, 2)]
steps += [{"op": "load", "prog": "Q%d" % i} for i in range(20000)]
print(json.dumps({"format": "mprogsim-trace", "version": 1, "semantics": "v2", "mutant": "none",
                  "readers": 1, "passes": 1, "steps": steps}))
EOF
  "$mprogsim" replay steps.json >out.txt 2>err.txt || fail "exit $?: $(cat err.txt)"
  grep -q "reproduced" out.txt || fail "$(cat out.txt)"
  ;;

# 16: duplicate keys are refused with their path.
duplicate-keys)
  echo '{"semantics":"v2","steps":[{"op":"load","prog":"P1"}],"steps":[]}' >dup.json
  refused "replay" "\$.steps: duplicate key" -- replay dup.json
  python3 - "$corpus/commit-no-sync.json" <<'EOF' >dup-trace.json
import sys
text = open(sys.argv[1]).read()
print(text.replace('"readers": 1,', '"readers": 1, "readers": 2,', 1))
EOF
  refused "replay trace" "\$.readers: duplicate key" -- replay dup-trace.json
  refused "shrink trace" "\$.readers: duplicate key" -- shrink dup-trace.json -o never.json
  ;;

# 17: an output that cannot be written is exit 2 with the reason.
stdout-full)
  for args in "check -q --strategy random --executions 10" "mutants" "replay $corpus/commit-no-sync.json" \
              "diff v2 v2 --depth 2 --random 0" "check -q --sequential --executions 5" \
              "shrink $corpus/commit-no-sync.json -o $work/s.json"; do
    # shellcheck disable=SC2086
    "$mprogsim" $args >/dev/full 2>err.txt
    code=$?
    [ "$code" -eq 2 ] || fail "$args > /dev/full: exit $code"
    grep -q "cannot write the standard output: No space left on device" err.txt ||
      fail "$args: $(cat err.txt)"
  done
  ;;
trace-unwritable)
  # An --out that can never be a directory is refused before the run.
  echo file >file
  refused "check --out under a file" "file/sub: $work/file is not a directory" -- \
    check -q --mutant commit-no-sync --out file/sub
  refused "check --sequential --out under a file" "is not a directory" -- \
    check -q --sequential --mutant query-no-enospc --out file/sub
  refused "diff --out under a file" "is not a directory" -- diff v2 v2+query-no-enospc --out file/sub
  # A trace that cannot be written once found (here: the file size limit) is exit 2
  # with the reason on stderr, not exit 1 with a note on stdout; nothing is left.
  # (--no-shrink: a shrunk trace would fit under the limit.)
  for args in "--strategy random --mutant commit-no-sync --no-shrink" "--sequential --mutant query-no-enospc --no-shrink"; do
    # shellcheck disable=SC2086
    ( trap '' XFSZ; ulimit -f 1; "$mprogsim" check -q $args --out big >/dev/null 2>err.txt; echo $? >code )
    [ "$(cat code)" -eq 2 ] || fail "$args: exit $(cat code), expected 2"
    [ "$(wc -l <err.txt)" -eq 1 ] || fail "$args: stderr: $(cat err.txt)"
    grep -q "could not write the .*File too large" err.txt || fail "$args: $(cat err.txt)"
    [ -z "$(ls -A big | grep '^\.')" ] || fail "$args: temporary files left: $(ls -A big)"
  done
  ;;

# 18: option values are strict.
options)
  refused "check --out ''" "--out" -- check --out ''
  refused "diff --out ''" "--out" -- diff v2 v2 --out ''
  refused "shrink -o ''" "--out" -- shrink "$corpus/commit-no-sync.json" -o ''
  refused "replay --dot ''" "--dot" -- replay "$corpus/commit-no-sync.json" --dot ''
  refused "replay ''" "files" -- replay ''
  for seed in -1 18446744073709551616 1e23 0x10 ' 1' 1.0 ''; do
    refused "--seed '$seed'" "--seed" -- check --seed "$seed"
    refused "diff --seed '$seed'" "--seed" -- diff v2 v2 --seed "$seed"
  done
  for budget in nan inf -1 1e3 -inf ''; do
    refused "--time-budget '$budget'" "--time-budget" -- check --time-budget "$budget"
  done
  refused "diff --initial-revision -1" "--initial-revision" -- diff v2 v2 --initial-revision -1
  refused "diff --initial-revision 2^64" "--initial-revision" -- diff v2 v2 --initial-revision 18446744073709551616
  for option in --readers --passes --ops --progs --executions --pct-depth --preemption-bound \
                --schedules-per-workload --start-readers-after; do
    refused "check $option -1" "$option" -- check "$option" -1
    refused "check $option 4294967297" "$option" -- check "$option" 4294967297
  done
  for option in --depth --random --progs --links --holds; do
    refused "diff $option -1" "$option" -- diff v2 v2 "$option" -1
  done
  # Leading zeros are decimal, not octal.
  "$mprogsim" check -q --strategy random --executions 1 --seed 010 >out.txt || fail "--seed 010: exit $?"
  grep -q "^SEED=10 " out.txt || fail "--seed 010 is not 10: $(cat out.txt)"
  ;;

# 19: an error is one line whatever the input holds.
escaping)
  printf '{"semantics":"v2","steps":[{"op":"a\\nb\\u0000c"}]}' >nl.json
  refused "newline and NUL in an op" "unknown op 'a\\nb\\x00c'" -- replay nl.json
  printf '{"semantics":"v2","steps":[],"na\\nme\\u001b[31m":1}' >key.json
  refused "a key with control characters" "\$.na\\nme\\x1b[31m: unknown field" -- replay key.json
  printf '{"semantics":"v2","steps":[{"op":"a\xff\xfe"}]}' >utf8.json
  refused "invalid UTF-8" "\\xff" -- replay utf8.json
  LC_ALL=C grep -q $'[\x80-\xff]' err.txt && fail "raw bytes in the message: $(cat err.txt)"
  refused "a file name with a newline" "no\\nsuch: cannot read the file" -- replay $'no\nsuch'
  refused "a mutant name with a newline" "unknown mutant 'x\\ny'" -- check --mutant $'x\ny'
  refused "an option value with a newline" "--strategy" -- check --strategy $'x\ny'
  ;;

# 20: a trace is strict about its schedule and its property.
trace-strictness)
  python3 - "$corpus/commit-no-sync.json" <<'EOF' >leftover.json
import json, sys
t = json.load(open(sys.argv[1]))
t["schedule"].append(["C", 3])
print(json.dumps(t))
EOF
  refused "schedule entries after the end" "schedule steps after the execution ended" -- replay leftover.json
  python3 - "$corpus/correct-on-commit-no-sync.json" <<'EOF' >leftover-pass.json
import json, sys
t = json.load(open(sys.argv[1]))
t["schedule"].append(["R1", 1])
print(json.dumps(t))
EOF
  refused "schedule entries after a passing run" "1 schedule step after the execution ended" -- replay leftover-pass.json
  python3 - "$corpus/commit-no-sync.json" <<'EOF' >property.json
import json, sys
t = json.load(open(sys.argv[1]))
t["outcome"]["property"] = "snapshots"
print(json.dumps(t))
EOF
  refused "an unknown property" "\$.outcome.property: unknown property 'snapshots'" -- replay property.json
  # An upstream trace replays (the doc said it was refused).
  "$mprogsim" replay -q "$corpus/upstream-empty-detach-before.json" >/dev/null || fail "upstream trace"
  ;;

*)
  fail "unknown case"
  ;;
esac
exit 0
