// SPDX-License-Identifier: GPL-2.0
// Random scheduling. Each execution first draws a speed for every thread (and for
// the RCU callbacks) from {1, 2, 4, ..., 64}; then every step picks an enabled
// thread with probability proportional to its speed. Every other execution uses
// equal speeds, which is uniform random scheduling. Skewed speeds matter here: the
// control path takes ~100 steps per operation and a reader pass ~10, so under
// uniform choice the readers finish before the interesting updates begin.
// Execution i draws from its own stream (campaign seed, i), so it can be re-run alone.
#pragma once

#include "common/rng.h"
#include "sim/strategy.h"

namespace mprogsim::sim {

class RandomStrategy final : public Strategy {
 public:
  explicit RandomStrategy(std::uint64_t seed) : seed_(seed), rng_(seed) {}
  bool begin_execution(std::uint64_t index) override;
  ThreadId choose(const SchedulerView& view) override;
  std::string describe() const override { return "random"; }

 private:
  std::uint64_t seed_;
  Rng rng_;
  std::uint64_t speeds_[kMaxReaders + 2] = {};  // control, readers, RCU callbacks
};

}  // namespace mprogsim::sim
