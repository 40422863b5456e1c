// SPDX-License-Identifier: GPL-2.0
// Bounded exhaustive search (stateless model checking, as in CHESS): the tree of
// scheduling choices is walked depth first by re-executing from the start, with at
// most `preemption_bound` preemptions per execution (switching away from a thread
// that could have continued). Switching because a thread finished or blocks is free.
//
// Sleep sets (Godefroid) prune executions that only reorder independent steps: after
// exploring choice t at a node, t sleeps in the siblings explored later, and stays
// asleep below them until a step dependent with t's pending step runs. A node whose
// enabled threads are all asleep is abandoned. Known limit: combined with a
// preemption bound, sleep sets may skip an interleaving that is only reachable
// within the bound through a pruned branch; `sleep_sets = false` gives the plain
// bounded search.
#pragma once

#include <vector>

#include "sim/strategy.h"

namespace mprogsim::sim {

class DfsStrategy final : public Strategy {
 public:
  DfsStrategy(std::uint32_t preemption_bound, bool sleep_sets)
      : bound_(preemption_bound), sleep_sets_(sleep_sets) {}
  bool begin_execution(std::uint64_t index) override;
  ThreadId choose(const SchedulerView& view) override;
  void end_execution(std::uint64_t steps) override;
  bool exhausted() const override { return exhausted_; }
  std::string describe() const override;
  // Executions abandoned because every enabled thread was asleep.
  std::uint64_t pruned() const { return pruned_; }

 private:
  struct Node {
    std::vector<ThreadId> enabled;
    std::vector<Transition> pending;  // parallel to enabled
    ThreadId current = kNoThread;
    ThreadId chosen = kNoThread;
    std::vector<ThreadId> done;     // choices explored (or being explored) here
    std::vector<ThreadId> sleep;    // asleep on arrival
    std::uint32_t preemptions = 0;  // used on the path before this node
  };

  const Transition& pending_at(const Node& node, ThreadId t) const;
  // The next choice at `node` not yet explored, not asleep, within the bound.
  ThreadId next_choice(const Node& node) const;
  std::uint32_t cost(const Node& node, ThreadId t) const;

  std::uint32_t bound_;
  bool sleep_sets_;
  std::vector<Node> stack_;
  std::size_t depth_ = 0;
  bool exhausted_ = false;
  bool abandoned_ = false;
  std::uint64_t pruned_ = 0;
};

}  // namespace mprogsim::sim
