// SPDX-License-Identifier: GPL-2.0
// PCT, probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): each
// thread gets a random distinct priority of at least `depth`; the highest-priority
// enabled thread always runs; at depth-1 random steps the running thread's priority
// drops below all others (to 1, 2, ...). A bug of depth d is found with probability
// at least 1/(n k^(d-1)) per execution for n threads and k steps.
//
// Steps are counted as shuttle counts them (awslabs/shuttle, src/scheduler/pct.rs,
// after the paper's 4.1 "Identifying Sequential Execution"): only a choice between
// at least two enabled threads is a step, and only there can a priority change
// fall. Every scheduling point is already an access some other thread could
// observe (docs/simulator.md), so a counted step is one where threads race; the
// setup before the readers start, or a control path left alone once the readers
// are done, no longer dilutes k. k is the most racing steps an execution has had
// so far; the first execution, with k still unknown, runs on its priorities alone.
#pragma once

#include <vector>

#include "common/rng.h"
#include "sim/strategy.h"

namespace mprogsim::sim {

class PctStrategy final : public Strategy {
 public:
  PctStrategy(std::uint64_t seed, std::uint32_t depth) : seed_(seed), depth_(depth), rng_(seed) {}
  bool begin_execution(std::uint64_t index) override;
  ThreadId choose(const SchedulerView& view) override;
  void end_execution(std::uint64_t steps) override;
  std::string describe() const override;

  // Racing steps (choices between at least two enabled threads) of the execution
  // under way, and k: the most any execution has had.
  std::uint64_t racing_steps() const { return racing_steps_; }
  std::uint64_t bound() const { return max_racing_steps_; }

 private:
  std::uint64_t priority_of(ThreadId t);

  std::uint64_t seed_;
  std::uint32_t depth_;
  Rng rng_;
  std::uint64_t max_racing_steps_ = 0;  // k; 0 until an execution has raced
  std::uint64_t racing_steps_ = 0;
  std::vector<std::uint64_t> priorities_;     // by thread id; kRcuThread mapped to the end
  std::vector<std::uint64_t> change_points_;  // ascending racing steps, 1-based
  std::size_t next_change_ = 0;
};

}  // namespace mprogsim::sim
