// SPDX-License-Identifier: GPL-2.0
// The invariants the design intends, checked on the faithful model after every step:
// v2's (the seed) and upstream's. Each check returns what broke, or nothing. Some are
// broken by the seed's own code: those carry a finding id (docs/semantics.md,
// "Findings"), so a property run can tolerate the known ones by name while still
// failing on anything new. Upstream has no known finding.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/finding_ids.h"
#include "model/mprog_api.h"
#include "model/upstream/system.h"
#include "model/v2/system.h"
#include "scenario/scenario.h"

namespace mprogsim::properties {

struct Violation {
  std::string finding;  // empty: not a known finding
  std::string what;
};

// A snapshot of everything a user can observe, for "a failed op changes nothing".
struct Observation {
  QueryResult query;
  std::vector<u32> ran;
  std::vector<ObjectInfo> progs;
  std::vector<ObjectInfo> links;
  u32 miniq_holds = 0;
  StaticKeys keys;
  bool operator==(const Observation& other) const;
};
Observation observe(MprogApi& system, u32 progs_max, u32 links_max);
std::string describe(const Observation& observation);

// What the step did, as the invariants need it.
struct StepFacts {
  enum class Kind { kOther, kAttach, kDetach, kLinkCreate, kLinkUpdate };
  Kind kind = Kind::kOther;
  int ret = 0;
  u64 expected_revision = 0;
  // v2: the revision is 32 bits and skips 0; upstream: 64 bits, +1.
  Semantics semantics = Semantics::kV2;
};

// Structural invariants of the model's state after any step.
std::vector<Violation> check_state(const v2::System& system, const Observation& after);
// The same for upstream, which also checks the published bundle itself (its count, the
// NULL terminator, no pending release) and the qdisc's hold.
std::vector<Violation> check_state(const upstream::System& system, const Observation& after);
// Invariants relating the state before and after one step.
std::vector<Violation> check_step(const StepFacts& facts, const Observation& before,
                                  const Observation& after);

// Finding ids (model/finding_ids.h), also spelled properties::kFinding*.
using ::mprogsim::kFindingEmptyDetach;
using ::mprogsim::kFindingEstaleHighRevision;
using ::mprogsim::kFindingQueryFlagsUnwritten;
using ::mprogsim::kFindingStaticKeyLeak;

}  // namespace mprogsim::properties
