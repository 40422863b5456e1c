// SPDX-License-Identifier: GPL-2.0
// How the next thread is picked at each scheduling point. A strategy sees the
// enabled threads, the one that ran last, and what each would do next; it must be
// a pure function of its seed and what it has seen, so that every execution can be
// reproduced (and is recorded as a schedule anyway).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/transition.h"

namespace mprogsim::sim {

class HappensBefore;

// The state a choice is made in, hashed (128 bits): everything the rest of the
// execution depends on (sim/state_hash.h, state_key). Only for strategies that ask.
struct StateKey {
  std::uint64_t a = 0, b = 0;
  bool operator==(const StateKey& o) const { return a == o.a && b == o.b; }
};

struct SchedulerView {
  std::span<const ThreadId> enabled;    // ascending; kRcuThread last when a callback is ready
  ThreadId current = kNoThread;         // the thread that ran the previous step
  std::span<const Transition> pending;  // indexed by thread id (readers and control)
  std::uint64_t step = 0;               // index of the step being chosen
  // The steps taken so far, with their happens-before clocks and races.
  const HappensBefore* hb = nullptr;
  StateKey state;  // when the strategy wants_states()

  const Transition& pending_of(ThreadId t) const;
  bool is_enabled(ThreadId t) const;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Prepares execution number `index` (0-based); false when nothing is left (DFS).
  virtual bool begin_execution(std::uint64_t index) = 0;
  // The thread to run; kNoThread abandons the execution (a DFS branch that only
  // repeats explored behaviour).
  virtual ThreadId choose(const SchedulerView& view) = 0;
  virtual void end_execution(std::uint64_t steps) { (void)steps; }
  // DPOR: whether the execution should record races (pairs of conflicting steps
  // nothing else orders), and the whole execution's steps, just before
  // end_execution.
  virtual bool wants_races() const { return false; }
  virtual bool wants_states() const { return false; }
  virtual void observe(const HappensBefore& hb) { (void)hb; }
  // DFS: the whole bounded tree has been explored.
  virtual bool exhausted() const { return false; }
  virtual std::string describe() const = 0;
};

struct StrategyOptions {
  std::string kind = "random";  // random | pct | dfs | dpor
  std::uint64_t seed = 1;
  std::uint32_t pct_depth = 3;
  std::uint32_t preemption_bound = 2;
  bool preemption_bound_given = false;  // dpor is unbounded unless the bound was given
  bool sleep_sets = true;
  bool state_cache = true;  // dpor: cache states whose subtree is explored
};

// Throws std::invalid_argument for an unknown kind.
[[nodiscard]] std::unique_ptr<Strategy> make_strategy(const StrategyOptions& options);

// Follows a recorded schedule, then runs on without preemption (the current thread
// while it can run, else the lowest-numbered enabled one). A schedule entry that
// names a thread that cannot run is reported by the execution as a bad schedule.
//
// Lenient replay (for running a trace on a different model, e.g. a mutant's trace
// on the correct model, where the schedule stops fitting) skips entries naming a
// thread that cannot run instead.
class ReplayStrategy final : public Strategy {
 public:
  explicit ReplayStrategy(std::vector<ThreadId> schedule, bool lenient = false)
      : schedule_(std::move(schedule)), lenient_(lenient) {}
  bool begin_execution(std::uint64_t) override {
    cursor_ = 0;
    skipped_ = 0;
    return true;
  }
  ThreadId choose(const SchedulerView& view) override;
  std::string describe() const override { return "replay"; }
  std::uint64_t skipped() const { return skipped_; }

 private:
  std::vector<ThreadId> schedule_;
  bool lenient_;
  std::size_t cursor_ = 0;
  std::uint64_t skipped_ = 0;
};

// The non-preemptive choice: keep running the current thread while it can.
[[nodiscard]] ThreadId non_preemptive_choice(const SchedulerView& view);

}  // namespace mprogsim::sim
