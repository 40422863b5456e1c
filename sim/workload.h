// SPDX-License-Identifier: GPL-2.0
// A workload: what the simulated threads do. Thread C (the control path) runs the
// scenario's steps in order through the model's syscall layer; threads R1..Rn
// (datapath readers) each make `passes` passes over the published entry. The
// reference is what the workload must produce: the spec's answer to every control
// step, and the list each committed state publishes (from a sequential run of the
// same model, mutant included, so that a reader's snapshot is judged against what
// the control path commits rather than against the spec).
#pragma once

#include <string>
#include <vector>

#include "model/mutants.h"
#include "scenario/scenario.h"

namespace mprogsim::sim {

struct Workload {
  Scenario scenario;
  u32 readers = 2;
  u32 passes = 3;
  Mutant mutant = Mutant::kNone;
  // The readers start once the control path has ended this many steps (or all of
  // them, if it has fewer): Spin's "set up, then start the readers". 0: at once.
  u32 start_readers_after = 0;
};

struct Reference {
  std::vector<std::string> spec_lines;      // per step: the spec's result line
  std::vector<std::vector<u32>> committed;  // L_0 (before any step) .. L_n
  StaticKeys keys;                          // the spec's static keys after the last step
  std::string error;                        // non-empty: the workload is bad
};

// Runs the workload's steps sequentially on the spec and on the model.
[[nodiscard]] Reference compute_reference(const Workload& workload);

}  // namespace mprogsim::sim
