// SPDX-License-Identifier: GPL-2.0
// Ids of the known findings that the sequential invariants report: behaviours of the
// mirrored kernel code itself that break an intended invariant, each written up in
// docs/semantics.md. Here, below everything, because both the invariants
// (properties/invariants.h) and the findings catalogue (sim/findings.h) name them.
#pragma once

namespace mprogsim {

inline constexpr const char* kFindingStaticKeyLeak = "static-key-leak";
inline constexpr const char* kFindingEmptyDetach = "empty-entry-detach-succeeds";
inline constexpr const char* kFindingEstaleHighRevision = "estale-at-high-revision";
inline constexpr const char* kFindingQueryFlagsUnwritten = "query-flags-unwritten";

}  // namespace mprogsim
