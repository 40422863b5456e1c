// SPDX-License-Identifier: GPL-2.0
#include "sim/rcu.h"

#include "common/assert.h"

namespace mprogsim::sim {

void SimRcu::reset(std::size_t threads) {
  nesting_.assign(threads, 0);
  section_.assign(threads, 0);
  callbacks_.clear();
}

void SimRcu::read_lock(ThreadId t) {
  SIM_ASSERT(t < nesting_.size(), "rcu_read_lock by a thread the RCU was not reset for");
  if (nesting_[t]++ == 0) section_[t]++;
}

bool SimRcu::read_unlock(ThreadId t) {
  if (nesting_[t] == 0) return false;
  nesting_[t]--;
  return true;
}

SimRcu::Snapshot SimRcu::start_grace_period() const {
  Snapshot s;
  for (std::size_t t = 0; t < nesting_.size(); t++) {
    if (nesting_[t] > 0) s.push_back({static_cast<ThreadId>(t), section_[t]});
  }
  return s;
}

bool SimRcu::grace_period_over(const Snapshot& snapshot) const {
  for (const auto& [t, section] : snapshot) {
    if (nesting_[t] > 0 && section_[t] == section) return false;
  }
  return true;
}

void SimRcu::call_rcu(std::function<void()> fn, ThreadId by, std::uint64_t at) {
  callbacks_.push_back({std::move(fn), start_grace_period(), by, at});
}

SimRcu::Callback SimRcu::take_callback() {
  SIM_ASSERT(!callbacks_.empty(), "a callback taken when none is queued");
  Callback c = std::move(callbacks_.front());
  callbacks_.pop_front();
  return c;
}

}  // namespace mprogsim::sim
