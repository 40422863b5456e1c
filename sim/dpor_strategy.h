// SPDX-License-Identifier: GPL-2.0
// Dynamic partial-order reduction: source-DPOR with sleep sets (Abdulla, Aronis,
// Jonsson, Sagonas: "Source Sets: A Foundation for Optimal Dynamic Partial Order
// Reduction", JACM 64(4), 2017, Algorithm 1). Stateless, by re-execution like the
// DFS: the tree of choices is walked depth first, but a thread is tried at a node
// only when some execution showed a *race* that needs it there: two conflicting
// steps of different threads with nothing else ordering them
// (sim/happens_before.h). Then the search explores at least one execution of every
// equivalence class of executions (same steps, same order of every conflicting
// pair), so every reader pass's list, every control step's result and every
// property verdict that any schedule can produce is produced by some execution it
// runs (docs/simulator.md argues it; sim/dpor_soundness_test.cc checks it against
// the unreduced search).
//
// For a race between step j (thread q) and a later step k, the algorithm looks at
// v: the steps after j that do not depend on j, then k. If no thread already
// scheduled to be tried at j can start v (v's "initials"), one that can is added.
// Sleep sets keep a thread asleep below a node where it was already explored until
// a step conflicting with its next one runs; an execution whose enabled threads are
// all asleep is abandoned (counted, not an error).
//
// Optional preemption bound: choices that would exceed it are not explored; a
// bounded DPOR is neither complete nor complete within the bound (complete()
// says so).
//
// State caching (on unless turned off; never with a bound). Stateful DPOR is not
// sound if it simply stops at a state seen before: the subtree it skips would have
// raced with steps of the current prefix and added threads to try at nodes of that
// prefix (Yang, Chen, Gopalakrishnan, Kirby, "Efficient Stateful Dynamic Partial
// Order Reduction", SPIN 2008). So: a state is cached only once its whole subtree
// has been explored (the node is popped), with the sleep set it was explored with
// and a summary of what each thread did in that subtree (sim/effect_summary.h).
// An execution that reaches a cached state with a sleep set that contains the
// cached one stops there; every step of the current prefix that a thread's summary
// may conflict with, and that the thread does not already know (happens-before),
// is treated as a race with that thread's future: the threads that can start the
// prefix's part of the reversal are added at that step's node, or, when that part
// is empty, every thread enabled there. docs/simulator.md argues why this loses
// nothing; sim/dpor_soundness_test.cc checks it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "sim/effect_summary.h"
#include "sim/happens_before.h"
#include "sim/strategy.h"

namespace mprogsim::sim {

class DporStrategy final : public Strategy {
 public:
  explicit DporStrategy(std::optional<std::uint32_t> preemption_bound = std::nullopt,
                        bool state_cache = true)
      : bound_(preemption_bound), cache_(state_cache && !preemption_bound) {}
  // The naive stateful DPOR that stops at a cached state and does nothing else:
  // unsound; only for the test that shows what the races at a cut are for.
  void naive_cache_for_test() { naive_ = true; }
  bool begin_execution(std::uint64_t index) override;
  ThreadId choose(const SchedulerView& view) override;
  void end_execution(std::uint64_t steps) override;
  bool exhausted() const override { return exhausted_; }
  bool wants_races() const override { return true; }
  bool wants_states() const override { return cache_; }
  void observe(const HappensBefore& hb) override { process(hb); }
  std::string describe() const override;

  // Executions abandoned because every enabled thread was asleep (or, bounded,
  // because only preemptions were left).
  std::uint64_t blocked() const { return blocked_; }
  // Races whose reversal no enabled thread could start: would make the search
  // incomplete; never seen, reported if it ever happens.
  std::uint64_t anomalies() const { return anomalies_; }
  // Whether the exploration so far is a complete one (exhausted, no bound, no anomaly).
  bool complete() const { return exhausted_ && !bound_ && anomalies_ == 0; }
  bool state_cache() const { return cache_; }
  // Executions stopped at a state whose subtree was already explored.
  std::uint64_t cached_cuts() const { return cached_cuts_; }
  std::uint64_t states_cached() const { return cache_map_.size(); }
  // The last execution: the state at each choice it made, and the state it stopped
  // at because it was cached (for composing outcomes in the soundness test).
  const std::vector<StateKey>& path_states() const { return path_; }
  std::optional<StateKey> cut_at() const { return cut_; }

 private:
  struct Node {
    SlotMask enabled = 0;
    SlotMask backtrack = 0;                      // threads to try here
    SlotMask done = 0;                           // threads tried (or being tried) here
    SlotMask sleep = 0;                          // asleep on arrival
    std::uint8_t chosen = 0;                     // slot
    std::uint8_t current = 0xff;                 // slot of the thread that ran the step before
    std::uint32_t preemptions = 0;               // on the path before this node
    std::array<StepEffect, kMaxSlots> effect{};  // of every thread in done or sleep
    StateKey key;                                // the state here (state caching)
    EffectSummary summary;                       // what every thread did at or below this node
  };
  struct Cached {
    SlotMask sleep = 0;  // explored with this sleep set
    EffectSummary summary;
  };
  struct KeyHash {
    std::size_t operator()(const StateKey& k) const {
      return static_cast<std::size_t>(k.a ^ (k.b >> 1));
    }
  };

  void process(const HappensBefore& hb);
  void reverse(const HappensBefore& hb, std::size_t j, std::size_t k);
  // The threads that can start v's part before step `end`: v = the steps after j
  // that j does not happen before.
  SlotMask prefix_initials(const HappensBefore& hb, std::size_t j, std::size_t end) const;
  void cut_races(const HappensBefore& hb, const Cached& cached);
  SlotMask allowed(const Node& node) const;
  std::uint32_t cost(const Node& node, std::uint8_t slot) const;
  ThreadId thread_of(std::size_t slot) const {
    return slot == slots_ - 1 ? kRcuThread : static_cast<ThreadId>(slot);
  }
  std::size_t slot_of(ThreadId t) const { return t == kRcuThread ? slots_ - 1 : t; }

  std::optional<std::uint32_t> bound_;
  std::vector<Node> stack_;
  std::size_t slots_ = 0;       // readers + 2
  std::size_t depth_ = 0;       // choices made in this execution
  std::size_t fresh_from_ = 0;  // steps from here on are new in this execution
  std::size_t processed_ = 0;   // steps of this execution already looked at
  bool exhausted_ = false;
  bool abandoned_ = false;
  std::uint64_t blocked_ = 0;
  std::uint64_t anomalies_ = 0;
  bool cache_;
  bool naive_ = false;
  std::unordered_map<StateKey, Cached, KeyHash> cache_map_;
  std::uint64_t cached_cuts_ = 0;
  std::vector<StateKey> path_;
  std::optional<StateKey> cut_;
};

}  // namespace mprogsim::sim
