// SPDX-License-Identifier: GPL-2.0
#include "model/mutants.h"

#include <array>

namespace mprogsim {
namespace {

constexpr std::array<MutantInfo, 10> kMutants = {{
    {Mutant::kAddSkipsExists, "add-skips-exists",
     "bpf_mprog_add does not reject a program that is already attached (-EEXIST)"},
    {Mutant::kAddLimitOffByOne, "add-limit-off-by-one",
     "bpf_mprog_add checks items > bpf_mprog_max() instead of >=, so a 64th attach 'succeeds'"},
    {Mutant::kCommitKeepsZero, "commit-keeps-zero",
     "bpf_mprog_commit does not skip revision 0 when the counter wraps"},
    {Mutant::kBeforeIgnoresFirst, "before-ignores-first",
     "bpf_mprog_add lets BPF_F_BEFORE insert in front of a BPF_F_FIRST program"},
    {Mutant::kAddIgnoresLast, "add-ignores-last",
     "bpf_mprog_add appends behind a BPF_F_LAST program instead of in front of it"},
    {Mutant::kDelForgetsRef, "del-forgets-ref",
     "bpf_mprog_del does not mark the detached program, so its reference is never put"},
    {Mutant::kQueryNoEnospc, "query-no-enospc",
     "bpf_mprog_query returns 0 instead of -ENOSPC when the user's buffer is too short"},
    {Mutant::kAttachNoEstale, "attach-no-estale",
     "bpf_mprog_attach ignores expected_revision"},
    {Mutant::kHeadTailFirstTwice, "head-tail-first-twice",
     "bpf_mprog_head_tail attaches a second BPF_F_FIRST program in front of the first"},
    {Mutant::kReplaceSkipsAccess, "replace-skips-eacces",
     "bpf_mprog_replace sets BPF_F_FIRST/LAST on a program that is not first/last"},
}};

thread_local Mutant g_current = Mutant::kNone;

}  // namespace

std::span<const MutantInfo> all_mutants() { return kMutants; }

std::optional<Mutant> mutant_from_name(std::string_view name) {
  if (name == "none") return Mutant::kNone;
  for (const auto& info : kMutants) {
    if (info.name == name) return info.mutant;
  }
  return std::nullopt;
}

std::string_view mutant_name(Mutant mutant) {
  for (const auto& info : kMutants) {
    if (info.mutant == mutant) return info.name;
  }
  return "none";
}

Mutant current_mutant() { return g_current; }
void set_current_mutant(Mutant mutant) { g_current = mutant; }

}  // namespace mprogsim
