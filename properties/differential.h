// SPDX-License-Identifier: GPL-2.0
// The differential run behind the stateful properties: a sequence of abstract
// actions is resolved, step by step, into scenario steps against whatever programs
// and links exist at that moment, then run on the faithful model and on the spec of
// one semantics (v2 or upstream, DifferentialOptions::semantics).
// After every step the two must agree on the step's result and on the whole
// observable state (list, revision, count, refcounts, datapath pass), and the model
// must keep the intended invariants (invariants.h). A failure carries the failing
// prefix as a scenario whose expectations are the spec's answers, so `mprogsim
// replay` on it shows the model's deviation.
//
// Actions index objects modulo how many exist, so deleting any action (shrinking)
// leaves a valid sequence.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/mprog_api.h"
#include "traces/scenario.h"

namespace mprogsim::properties {

enum class ActionKind : u8 {
  kLoad,
  kAttach,
  kDetach,
  kLinkAttach,
  kLinkUpdate,
  kLinkDetach,
  kProgClose,
  kLinkClose,
  kQuery,
  kRun,
  kMiniqInc,
  kMiniqDec,
  kAttachMany,  // load and attach `count` fresh programs: reaches the 63 limit
};

// How often each kind is drawn, shared by the RapidCheck generator and `mprogsim
// check` so both explore the same mix.
inline constexpr std::pair<u32, ActionKind> kActionWeights[] = {
    {10, ActionKind::kLoad},      {24, ActionKind::kAttach},    {12, ActionKind::kDetach},
    {8, ActionKind::kLinkAttach}, {5, ActionKind::kLinkUpdate}, {3, ActionKind::kLinkDetach},
    {2, ActionKind::kProgClose},  {2, ActionKind::kLinkClose},  {4, ActionKind::kQuery},
    {2, ActionKind::kRun},        {2, ActionKind::kMiniqInc},   {2, ActionKind::kMiniqDec},
    {2, ActionKind::kAttachMany},
};

struct Action {
  ActionKind kind = ActionKind::kLoad;
  u32 prog = 0;      // picks a program (modulo), or the type for kLoad
  u32 other = 0;     // a second program (link update's old prog) or a link
  u32 flags = 0;     // bit i set: flag i of REPLACE BEFORE AFTER FIRST LAST ID LINK
  u32 relative = 0;  // 0 none; 1 prog; 2 link; 3 raw number
  u32 relative_pick = 0;
  bool by_id = false;
  u32 revision = 0;  // 0 none; 1 current; 2 current - 1; 3 current + 1; 4 0x80000000
  u32 count = 0;     // query buffer choice, or kAttachMany's count
};

struct DifferentialResult {
  bool ok = true;
  std::string failure;        // what differed or which invariant broke
  Scenario counterexample;    // the steps up to the failure, with the spec's answers
  std::set<std::string> findings;  // known findings seen on the way (invariants.h)
};

struct DifferentialOptions {
  // Which pair runs: v2::System against v2::MprogSpec, or upstream::System against
  // upstream::MprogSpec (then FIRST/LAST are never generated and REPLACE names its
  // program through `replace`).
  Semantics semantics = Semantics::kV2;
  u64 initial_revision = 1;
  // Findings (invariants.h ids) that are reported but do not fail the run.
  std::set<std::string> tolerated_findings;
  bool check_spec = true;        // compare with the spec
  bool check_invariants = true;  // check the model's invariants
};

DifferentialResult run_differential(const std::vector<Action>& actions,
                                    const DifferentialOptions& options);

}  // namespace mprogsim::properties
