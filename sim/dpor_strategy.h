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
// bounded DPOR is neither complete nor complete within the bound (dpor_complete()
// says so).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/happens_before.h"
#include "sim/strategy.h"

namespace mprogsim::sim {

class DporStrategy final : public Strategy {
 public:
  explicit DporStrategy(std::optional<std::uint32_t> preemption_bound = std::nullopt)
      : bound_(preemption_bound) {}
  bool begin_execution(std::uint64_t index) override;
  ThreadId choose(const SchedulerView& view) override;
  void end_execution(std::uint64_t steps) override;
  bool exhausted() const override { return exhausted_; }
  bool wants_races() const override { return true; }
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

 private:
  struct Node {
    SlotMask enabled = 0;
    SlotMask backtrack = 0;  // threads to try here
    SlotMask done = 0;       // threads tried (or being tried) here
    SlotMask sleep = 0;      // asleep on arrival
    std::uint8_t chosen = 0;  // slot
    std::uint8_t current = 0xff;  // slot of the thread that ran the step before
    std::uint32_t preemptions = 0;  // on the path before this node
    std::array<StepEffect, kMaxSlots> effect{};  // of every thread in done or sleep
  };

  void process(const HappensBefore& hb);
  void reverse(const HappensBefore& hb, std::size_t j, std::size_t k);
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
};

}  // namespace mprogsim::sim
