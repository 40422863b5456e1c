// SPDX-License-Identifier: GPL-2.0
// Deliberately broken variants of the model: each is a one-line deviation in a
// mirror function, off by default, chosen by name when a system is made (the mutant
// belongs to the system instance: model/system_harness.h). They exist to prove the
// properties can fail (properties/mutants_test.cc checks each is caught). Which
// variants a mutant breaks is the registry's (model/variant_registry.h: mutant_fits).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mprogsim {

enum class Mutant {
  kNone = 0,
  kAddSkipsExists,       // bpf_mprog_add: no -EEXIST check
  kAddLimitOffByOne,     // bpf_mprog_add: items > max instead of >=
  kCommitKeepsZero,      // bpf_mprog_commit: revision may become 0
  kBeforeIgnoresFirst,   // bpf_mprog_add: BEFORE a FIRST slot is allowed
  kAddIgnoresLast,       // bpf_mprog_add: appends after a LAST tail
  kDelForgetsRef,        // bpf_mprog_del: no bpf_mprog_mark_ref, the attach ref leaks
  kQueryNoEnospc,        // bpf_mprog_query: a short buffer returns 0
  kAttachNoEstale,       // bpf_mprog_attach: expected_revision ignored
  kHeadTailFirstTwice,   // bpf_mprog_head_tail: FIRST over a FIRST slot is allowed
  kReplaceSkipsAccess,   // bpf_mprog_replace: no -EACCES when FIRST/LAST would move
  kDelBeforeNoBound,     // bpf_mprog_del: BEFORE the first slot reads slot -1
  kDetachKeepsSkeys,     // tcx_prog_detach: no tcx_skeys_dec()
  kSkeysDecKeepsQueue,   // tcx_skeys_dec: no dev->ingress_queue--
  kQuerySkipsZeroFlags,  // bpf_mprog_query: a program's flags written only when non-zero
  // Concurrency mutants: visible only with datapath readers running (sim/).
  kCommitNoSync,          // bpf_mprog_commit: no synchronize_rcu()
  kProgPutFreesNow,       // bpf_prog_put: frees at once instead of after a grace period
  kPublishBeforeWritten,  // tcx attach: publishes the peer before mprog writes it
  kDelPutsEarly,          // bpf_mprog_del: puts the detached program before the swap
  kReaderReloadsEntry,    // tcx_run: re-loads the entry pointer inside one pass
  kFreeBundleNow,         // bpf_mprog_free: kfree instead of kfree_rcu
  kReaderUnlocksEarly,    // tcx_run: leaves the read-side section before walking
  // Upstream bug zoo (model/upstream/): each restores the code before one post-merge
  // fix; their names start with "upstream-".
  kUpstreamMaxCheckBefore,        // bpf_mprog_attach: no up-front check of a full array
  kUpstreamEmptyDetachBefore,     // bpf_mprog_detach: no -ENOENT on an empty entry
  kUpstreamQueryNullEntryBefore,  // tcx_prog_query: -ENOENT on a hook without an entry
  kUpstreamMiniqBoolBefore,       // tcx_miniq_inc/dec: a bool instead of a count
  // Upstream, not from the kernel's history.
  kFetchFrontNoClamp,  // bpf_mprog_fetch: position -1 (in front of the first) read as a slot
};

struct MutantInfo {
  Mutant mutant;
  std::string_view name;
  std::string_view description;
  bool concurrent = false;  // needs the simulator's readers to show
};

// Every mutant except kNone, in declaration order.
[[nodiscard]] std::span<const MutantInfo> all_mutants();
[[nodiscard]] std::optional<Mutant> mutant_from_name(std::string_view name);
[[nodiscard]] std::string_view mutant_name(Mutant mutant);
// The entry of `mutant` (kNone: a variant-free entry named "none").
[[nodiscard]] const MutantInfo& mutant_info(Mutant mutant);

// The mutant of the system whose call runs on this thread (kNone outside any call):
// what the mirror code asks through mutant_active(). Only KernelScope
// (model/sequential_hooks.h) installs it, for the scope of one call or one run.
[[nodiscard]] Mutant current_mutant();
inline bool mutant_active(Mutant mutant) { return current_mutant() == mutant; }

namespace detail {
// Installs `mutant` for this thread and returns the one it replaces (KernelScope only).
Mutant install_mutant(Mutant mutant);
}  // namespace detail

}  // namespace mprogsim
