// SPDX-License-Identifier: GPL-2.0
// The v2 variant's registry entry (model/variants.def): what the layers above know
// of v2, all of it from this folder.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding_ids.h"
#include "model/mirror_variant.h"
#include "model/v2/uapi.h"
#include "model/variant_registry.h"

namespace mprogsim::v2 {

struct Mirror;  // model/v2/variant.cc: what differs between the mirrors

// The factories and checks come from MirrorVariant (model/mirror_variant.h).
struct VariantTraits : MirrorVariant<Mirror> {
  static constexpr std::string_view kName = "v2";
  static constexpr std::array<AttachFlag, 7> kFlags = {{
      {"REPLACE", BPF_F_REPLACE},
      {"BEFORE", BPF_F_BEFORE},
      {"AFTER", BPF_F_AFTER},
      {"FIRST", BPF_F_FIRST},
      {"LAST", BPF_F_LAST},
      {"ID", BPF_F_ID},
      {"LINK", BPF_F_LINK},
  }};
  static constexpr u32 kFlagReplace = BPF_F_REPLACE;
  static constexpr u32 kFlagId = BPF_F_ID;
  static constexpr u32 kFlagLink = BPF_F_LINK;
  static constexpr u32 kAttachMask = BPF_F_ATTACH_MASK_MPROG;
  static constexpr bool kFirstLast = true;
  static constexpr bool kReplaceField = false;      // replace is the relative object
  static constexpr unsigned kRevisionBits = 32;     // the uapi field is a u32
  static constexpr bool kEmptyHookAnswers = false;  // no entry: the query fails

  // bpf_mprog_commit: a u32 counter that skips 0.
  static u64 next_revision(u64 before) {
    const u32 next = static_cast<u32>(before) + 1U;
    return next == 0 ? 1 : next;
  }

  static constexpr std::array kMutants = {
      Mutant::kAddSkipsExists,
      Mutant::kAddLimitOffByOne,
      Mutant::kCommitKeepsZero,
      Mutant::kBeforeIgnoresFirst,
      Mutant::kAddIgnoresLast,
      Mutant::kDelForgetsRef,
      Mutant::kQueryNoEnospc,
      Mutant::kAttachNoEstale,
      Mutant::kHeadTailFirstTwice,
      Mutant::kReplaceSkipsAccess,
      Mutant::kDelBeforeNoBound,
      Mutant::kDetachKeepsSkeys,
      Mutant::kSkeysDecKeepsQueue,
      Mutant::kQuerySkipsZeroFlags,
      // Concurrent: both mirrors have the code these break.
      Mutant::kCommitNoSync,
      Mutant::kProgPutFreesNow,
      Mutant::kPublishBeforeWritten,
      Mutant::kDelPutsEarly,
      Mutant::kReaderReloadsEntry,
      Mutant::kFreeBundleNow,
      Mutant::kReaderUnlocksEarly,
  };
  static constexpr std::array<std::string_view, 4> kFindings = {
      kFindingStaticKeyLeak, kFindingEmptyDetach, kFindingEstaleHighRevision,
      kFindingQueryFlagsUnwritten};
};

}  // namespace mprogsim::v2
