// SPDX-License-Identifier: GPL-2.0
#include "model/mutants.h"

#include <array>
#include <utility>

namespace mprogsim {
namespace {

constexpr std::array<MutantInfo, 26> kMutants = {{
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
    {Mutant::kAttachNoEstale, "attach-no-estale", "bpf_mprog_attach ignores expected_revision"},
    {Mutant::kHeadTailFirstTwice, "head-tail-first-twice",
     "bpf_mprog_head_tail attaches a second BPF_F_FIRST program in front of the first"},
    {Mutant::kReplaceSkipsAccess, "replace-skips-eacces",
     "bpf_mprog_replace sets BPF_F_FIRST/LAST on a program that is not first/last"},
    {Mutant::kDelBeforeNoBound, "del-before-no-bound",
     "bpf_mprog_del lacks `if (!i) return -ENOENT;`: a detach BEFORE the first program "
     "reads slot -1, in front of the array"},
    {Mutant::kDetachKeepsSkeys, "detach-keeps-skeys",
     "tcx_prog_detach does not call tcx_skeys_dec(), so the static keys stay taken"},
    {Mutant::kSkeysDecKeepsQueue, "skeys-dec-keeps-ingress-queue",
     "tcx_skeys_dec drops tcx_needed_key but not ingress_queue"},
    {Mutant::kQuerySkipsZeroFlags, "query-skips-zero-flags",
     "bpf_mprog_query writes a program's prog_attach_flags[i] only when they are non-zero"},
    {Mutant::kCommitNoSync, "commit-no-sync",
     "bpf_mprog_commit (upstream: tcx_entry_sync) does not call synchronize_rcu(), so the "
     "next update rewrites a peer readers still walk",
     true},
    {Mutant::kProgPutFreesNow, "prog-put-frees-now",
     "bpf_prog_put frees the program at once instead of through call_rcu", true},
    {Mutant::kPublishBeforeWritten, "publish-before-written",
     "tcx publishes the peer entry before bpf_mprog_attach has written it (and re-publishes "
     "the old entry if nothing was swapped)",
     true},
    {Mutant::kDelPutsEarly, "del-puts-early",
     "bpf_mprog_del (upstream: bpf_mprog_mark_for_release) puts the detached program right "
     "away instead of after the swap and the grace period",
     true},
    {Mutant::kReaderReloadsEntry, "reader-reloads-entry",
     "tcx_run re-loads the published entry after each program and walks on in the new one", true},
    {Mutant::kFreeBundleNow, "free-bundle-now",
     "bpf_mprog_free (upstream: tcx_entry_free) frees the entry at once instead of with "
     "kfree_rcu",
     true},
    {Mutant::kReaderUnlocksEarly, "reader-unlocks-early",
     "tcx_run leaves the RCU read-side section right after loading the entry", true},
    {Mutant::kUpstreamMaxCheckBefore, "upstream-max-check-before",
     "upstream before \"bpf, mprog: Fix maximum program check on mprog attachment\": "
     "BPF_F_BEFORE on a full array inserts a 64th program"},
    {Mutant::kUpstreamEmptyDetachBefore, "upstream-empty-detach-before",
     "upstream before \"bpf: Fix mprog detachment for empty mprog entry\": a detach "
     "without a program on an empty (qdisc-held) entry indexes slot -1 and succeeds"},
    {Mutant::kUpstreamQueryNullEntryBefore, "upstream-query-null-entry-before",
     "upstream before \"bpf: Handle bpf_mprog_query with NULL entry\": querying a hook "
     "without an entry is -ENOENT instead of count 0, revision 1"},
    {Mutant::kUpstreamMiniqBoolBefore, "upstream-miniq-bool-before",
     "upstream before \"bpf: Fix too early release of tcx_entry\": the qdisc hold is a "
     "bool, so the first of two holders to go frees the entry"},
    {Mutant::kFetchFrontNoClamp, "fetch-front-no-clamp",
     "bpf_mprog_fetch lacks `if (idx == -1) idx = 0;`: a detach BEFORE the first program "
     "reads slot -1, in front of the array"},
}};

// The installed mutant (KernelScope); per thread, because each simulated run and each
// sequential call owns its thread while it runs.
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

std::string_view mutant_name(Mutant mutant) { return mutant_info(mutant).name; }

const MutantInfo& mutant_info(Mutant mutant) {
  static constexpr MutantInfo kNoMutant{Mutant::kNone, "none", "the correct model"};
  for (const auto& info : kMutants) {
    if (info.mutant == mutant) return info;
  }
  return kNoMutant;
}

Mutant current_mutant() { return g_current; }

Mutant detail::install_mutant(Mutant mutant) { return std::exchange(g_current, mutant); }

}  // namespace mprogsim
