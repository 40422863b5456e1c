// SPDX-License-Identifier: GPL-2.0
// The invariants the design intends, checked on the faithful model after every step:
// each variant's state invariants (from the registry) and the step invariants here. Each check
// returns what broke, or nothing. Some are broken by the seed's own code: those carry a finding id
// (docs/semantics.md, "Findings"), so a property run can tolerate the known ones by name while
// still failing on anything new. Upstream has no known finding.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/finding_ids.h"
#include "model/mprog_api.h"
#include "model/observation.h"
#include "model/variant.h"

namespace mprogsim::properties {

// The observation and the violation are the model layer's (model/observation.h),
// because each variant's state invariants are its own (the registry's check_state,
// model/<variant>/invariants.cc).
using ::mprogsim::describe;
using ::mprogsim::Observation;
using ::mprogsim::observe;
using ::mprogsim::Violation;

// What the step did, as the invariants need it.
struct StepFacts {
  enum class Kind { kOther, kAttach, kDetach, kLinkCreate, kLinkUpdate };
  Kind kind = Kind::kOther;
  int ret = 0;
  u64 expected_revision = 0;
  // The variant: how the revision moves (its registry entry's next_revision).
  Semantics semantics = Semantics::kV2;
};

// Structural invariants of the model's state after any step: the variant's own
// (variant_info(semantics).check_state on a system its make_system made).
[[nodiscard]] std::vector<Violation> check_state(Semantics semantics, const MprogApi& system,
                                                 const Observation& after);
// Invariants relating the state before and after one step.
[[nodiscard]] std::vector<Violation> check_step(const StepFacts& facts, const Observation& before,
                                                const Observation& after);

// Finding ids (model/finding_ids.h), also spelled properties::kFinding*.
using ::mprogsim::kFindingEmptyDetach;
using ::mprogsim::kFindingEstaleHighRevision;
using ::mprogsim::kFindingQueryFlagsUnwritten;
using ::mprogsim::kFindingStaticKeyLeak;

}  // namespace mprogsim::properties
