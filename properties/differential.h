// SPDX-License-Identifier: GPL-2.0
// The differential run behind the stateful properties: a sequence of abstract
// actions (scenario/actions.h) is resolved, step by step, into scenario steps
// against whatever programs and links exist at that moment, then run on the faithful
// model and on the spec of one semantics (v2 or upstream,
// DifferentialOptions::semantics).
// After every step the two must agree on the step's result and on the whole
// observable state (list, revision, count, refcounts, datapath pass), and the model
// must keep the intended invariants (invariants.h). A failure carries the failing
// prefix as a scenario whose expectations are the spec's answers, so `mprogsim
// replay` on it shows the model's deviation.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/mprog_api.h"
#include "model/mutants.h"
#include "scenario/actions.h"
#include "scenario/scenario.h"

namespace mprogsim::properties {

struct DifferentialResult {
  bool ok = true;
  std::string failure;             // what differed or which invariant broke
  Scenario counterexample;         // the steps up to the failure, with the spec's answers
  std::set<std::string> findings;  // known findings seen on the way (invariants.h)
};

struct DifferentialOptions {
  // Which pair runs: the variant's system against its spec (the registry's
  // make_system and make_spec; upstream: FIRST/LAST are never generated and REPLACE
  // names its program through `replace`).
  Semantics semantics = Semantics::kV2;
  Mutant mutant = Mutant::kNone;  // the model's (the spec has none)
  u64 initial_revision = 1;
  // Findings (invariants.h ids) that are reported but do not fail the run.
  std::set<std::string> tolerated_findings;
  bool check_spec = true;        // compare with the spec
  bool check_invariants = true;  // check the model's invariants
};

[[nodiscard]] DifferentialResult run_differential(const std::vector<Action>& actions,
                                                  const DifferentialOptions& options);

}  // namespace mprogsim::properties
