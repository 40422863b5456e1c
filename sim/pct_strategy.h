// SPDX-License-Identifier: GPL-2.0
// PCT, probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): each
// thread gets a random distinct priority of at least `depth`; the highest-priority
// enabled thread always runs; at depth-1 random steps the running thread's priority
// drops below all others (to 1, 2, ...). A bug of depth d is found with probability
// at least 1/(n k^(d-1)) per execution for n threads and k steps. k is the longest
// execution seen so far (the first execution uses an estimate).
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

 private:
  std::uint64_t priority_of(ThreadId t);

  std::uint64_t seed_;
  std::uint32_t depth_;
  Rng rng_;
  std::uint64_t max_steps_ = 2000;
  std::vector<std::uint64_t> priorities_;  // by thread id; kRcuThread mapped to the end
  std::vector<std::uint64_t> change_points_;  // ascending steps
  std::size_t next_change_ = 0;
};

}  // namespace mprogsim::sim
