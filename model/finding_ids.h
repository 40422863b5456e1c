// SPDX-License-Identifier: GPL-2.0
// Ids of the known findings that the sequential invariants report: behaviours of the
// mirrored kernel code itself that break an intended invariant, each written up in
// docs/semantics.md. Here, below everything, because the invariants, each variant's
// registry entry (the findings of its code) and the catalogue (sim/findings.h) name them.
#pragma once

namespace mprogsim {

inline constexpr const char* kFindingStaticKeyLeak = "static-key-leak";
inline constexpr const char* kFindingEmptyDetach = "empty-entry-detach-succeeds";
inline constexpr const char* kFindingEstaleHighRevision = "estale-at-high-revision";
inline constexpr const char* kFindingQueryFlagsUnwritten = "query-flags-unwritten";
// Upstream's replace mix (U1), met by the simulator's snapshot property.
inline constexpr const char* kFindingReplaceMix = "upstream-replace-mix";

}  // namespace mprogsim
