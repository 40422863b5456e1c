#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every C++ file follows .clang-format, except the mirrors, which follow the kernel's
# layout line by line (docs/architecture.md, rule 4): model/<variant>/bpf_mprog.*
# and model/<variant>/tcx.* opt out here; the mirrored syscall half of system.cc sits
# between // clang-format off and on. Usage: check_format.sh [--fix] [ROOT].
# Exit 0 when every file is formatted (or was, with --fix), 1 when one is not.
set -euo pipefail
fix=0
if [[ ${1:-} == --fix ]]; then fix=1; shift; fi
root=${1:-$(dirname "$0")/..}
cd "$root"
mapfile -t files < <(git ls-files '*.cc' '*.h' | grep -Ev '^model/[^/]+/(bpf_mprog|tcx)\.(cc|h)$')
if [[ $fix -eq 1 ]]; then
  clang-format -i "${files[@]}"
else
  clang-format --dry-run --Werror "${files[@]}"
fi
