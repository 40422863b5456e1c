// SPDX-License-Identifier: GPL-2.0
// Random workloads for campaigns: a few programs loaded up front, then a mix of
// control operations drawn with weights that favour what changes the published
// list (attach, detach, links, replace, closes) over what only reads it. The
// operations are abstract actions resolved against the spec's state
// (scenario/actions.h), so every name they use is bound; the resolved steps
// carry the spec's answers as expectations.
#pragma once

#include <vector>

#include "common/rng.h"
#include "scenario/actions.h"
#include "sim/workload.h"

namespace mprogsim::sim {

struct WorkloadShape {
  u32 progs = 3;  // programs loaded before the mixed operations
  u32 ops = 8;    // mixed operations (some may resolve to nothing)
  u32 readers = 2;
  u32 passes = 3;
  u32 start_readers_after = 0;  // Workload::start_readers_after
  Mutant mutant = Mutant::kNone;
  Semantics semantics = Semantics::kV2;
  bool vary_initial_revision = true;  // sometimes start near the 32-bit wrap
};

[[nodiscard]] Action draw_sim_action(Rng& rng);

// The workload for `actions` after `shape.progs` loads.
[[nodiscard]] Workload make_workload(const std::vector<Action>& actions, const WorkloadShape& shape,
                                     u64 initial_revision);

[[nodiscard]] Workload draw_workload(Rng& rng, const WorkloadShape& shape);

}  // namespace mprogsim::sim
