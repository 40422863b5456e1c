// SPDX-License-Identifier: GPL-2.0
// The upstream variant's registry entry (model/variants.def): what the layers above
// know of upstream, all of it from this folder.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding_ids.h"
#include "model/mirror_variant.h"
#include "model/upstream/uapi.h"
#include "model/variant_registry.h"

namespace mprogsim::upstream {

struct Mirror;  // model/upstream/variant.cc: what differs between the mirrors

// The factories and checks come from MirrorVariant (model/mirror_variant.h).
struct VariantTraits : MirrorVariant<Mirror> {
  static constexpr std::string_view kName = "upstream";
  static constexpr std::array<AttachFlag, 5> kFlags = {{
      {"REPLACE", BPF_F_REPLACE},
      {"BEFORE", BPF_F_BEFORE},
      {"AFTER", BPF_F_AFTER},
      {"ID", BPF_F_ID},
      {"LINK", BPF_F_LINK},
  }};
  static constexpr u32 kFlagReplace = BPF_F_REPLACE;
  static constexpr u32 kFlagId = BPF_F_ID;
  static constexpr u32 kFlagLink = BPF_F_LINK;
  static constexpr u32 kAttachMask = BPF_F_ATTACH_MASK_MPROG;
  static constexpr bool kFirstLast = false;
  static constexpr bool kReplaceField = true;  // BPF_F_REPLACE reads replace_bpf_fd
  static constexpr unsigned kRevisionBits = 64;
  // tcx_prog_query on a hook without an entry: count 0, revision 1.
  static constexpr bool kEmptyHookAnswers = true;

  // atomic64_inc: no value is skipped.
  static u64 next_revision(u64 before) { return before + 1; }

  static constexpr std::array kMutants = {
      // Concurrent: both mirrors have the code these break.
      Mutant::kCommitNoSync,
      Mutant::kProgPutFreesNow,
      Mutant::kPublishBeforeWritten,
      Mutant::kDelPutsEarly,
      Mutant::kReaderReloadsEntry,
      Mutant::kFreeBundleNow,
      Mutant::kReaderUnlocksEarly,
      // The bug zoo: each restores the code before one post-merge fix.
      Mutant::kUpstreamMaxCheckBefore,
      Mutant::kUpstreamEmptyDetachBefore,
      Mutant::kUpstreamQueryNullEntryBefore,
      Mutant::kUpstreamMiniqBoolBefore,
      Mutant::kFetchFrontNoClamp,
  };
  static constexpr std::array<std::string_view, 1> kFindings = {kFindingReplaceMix};
};

}  // namespace mprogsim::upstream
