// SPDX-License-Identifier: GPL-2.0
// Simulated RCU. A reader is inside a read-side section while its nesting depth is
// above zero; each outermost rcu_read_lock opens a new numbered section. A grace
// period that starts at some step waits for exactly the sections open at that step
// (a snapshot); sections opened later do not delay it. That is the shortest grace
// period the RCU contract allows, so it is the most adversarial one: anything a
// real kernel could free early, the simulator frees early too. call_rcu callbacks
// become ready when their grace period is over and then run at a step the
// scheduler chooses, oldest first (readiness is first-in first-out by construction:
// a later snapshot contains every section still open from an earlier one).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <utility>
#include <vector>

#include "common/assert.h"
#include "sim/transition.h"

namespace mprogsim::sim {

class SimRcu {
 public:
  // The (reader, section) pairs a grace period waits for, at most one per thread:
  // a fixed array, since every synchronize_rcu and call_rcu takes one. Only the
  // entries in use are written or copied: zeroing and copying the whole array took
  // about 1.5% of a random execution.
  class Snapshot {
   public:
    using Entry = std::pair<ThreadId, std::uint64_t>;
    Snapshot() = default;
    Snapshot(const Snapshot& other) : n_(other.n_) {
      std::copy_n(other.entries_.begin(), n_, entries_.begin());
    }
    Snapshot& operator=(const Snapshot& other) {
      if (this == &other) return *this;
      n_ = other.n_;
      std::copy_n(other.entries_.begin(), n_, entries_.begin());
      return *this;
    }
    void push_back(Entry e) {
      SIM_ASSERT(n_ < entries_.size(), "more threads in a grace period than kMaxReaders + 1");
      entries_[n_++] = e;
    }
    const Entry* begin() const { return entries_.data(); }
    const Entry* end() const { return entries_.data() + n_; }
    std::size_t size() const { return n_; }
    bool empty() const { return n_ == 0; }

   private:
    std::array<Entry, kMaxReaders + 1> entries_;  // [0, n_) in use, the rest never read
    std::uint8_t n_ = 0;
  };

  void reset(std::size_t threads);

  void read_lock(ThreadId t);
  // Returns false when the thread was not inside a section (unbalanced unlock).
  bool read_unlock(ThreadId t);
  bool in_section(ThreadId t) const { return nesting_[t] > 0; }
  std::uint32_t nesting(ThreadId t) const { return nesting_[t]; }
  std::uint64_t section(ThreadId t) const { return section_[t]; }

  // The sections a grace period starting now must wait for.
  Snapshot start_grace_period() const;
  bool grace_period_over(const Snapshot& snapshot) const;

  struct Callback {
    std::function<void()> fn;
    Snapshot snapshot;
    ThreadId queued_by = kNoThread;
    std::uint64_t queued_at = 0;
  };
  void call_rcu(std::function<void()> fn, ThreadId by, std::uint64_t at);
  bool callback_ready() const {
    return !callbacks_.empty() && grace_period_over(callbacks_.front().snapshot);
  }
  bool callbacks_pending() const { return !callbacks_.empty(); }
  const std::deque<Callback>& queue() const { return callbacks_; }
  // Readers whose section in `snapshot` is still open, one bit per thread id.
  std::uint32_t still_open(const Snapshot& snapshot) const {
    std::uint32_t mask = 0;
    for (const auto& [t, section] : snapshot) {
      if (nesting_[t] > 0 && section_[t] == section) mask |= 1U << t;
    }
    return mask;
  }
  // Removes and returns the oldest callback (call only when callback_ready()).
  Callback take_callback();
  // Drops callbacks without running them (an execution stopped early).
  void discard_callbacks() { callbacks_.clear(); }

 private:
  std::vector<std::uint32_t> nesting_;
  std::vector<std::uint64_t> section_;
  std::deque<Callback> callbacks_;
};

}  // namespace mprogsim::sim
