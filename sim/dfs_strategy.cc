// SPDX-License-Identifier: GPL-2.0
#include "sim/dfs_strategy.h"

#include <algorithm>

namespace mprogsim::sim {
namespace {
bool contains(const std::vector<ThreadId>& v, ThreadId t) {
  return std::find(v.begin(), v.end(), t) != v.end();
}
}  // namespace

const Transition& DfsStrategy::pending_at(const Node& node, ThreadId t) const {
  for (std::size_t i = 0; i < node.enabled.size(); i++) {
    if (node.enabled[i] == t) return node.pending[i];
  }
  static const Transition kNone{StepKind::kCallback};  // conservative: dependent with all
  return kNone;
}

std::uint32_t DfsStrategy::cost(const Node& node, ThreadId t) const {
  return node.current != kNoThread && t != node.current && contains(node.enabled, node.current) ? 1
                                                                                                : 0;
}

ThreadId DfsStrategy::next_choice(const Node& node) const {
  auto allowed = [&](ThreadId t) {
    return !contains(node.done, t) && !(sleep_sets_ && contains(node.sleep, t)) &&
           node.preemptions + cost(node, t) <= bound_;
  };
  // Non-preemptive first: the current thread, then the others in id order.
  if (node.current != kNoThread && contains(node.enabled, node.current) && allowed(node.current)) {
    return node.current;
  }
  for (ThreadId t : node.enabled) {
    if (allowed(t)) return t;
  }
  return kNoThread;
}

bool DfsStrategy::begin_execution(std::uint64_t) {
  depth_ = 0;
  abandoned_ = false;
  return !exhausted_;
}

ThreadId DfsStrategy::choose(const SchedulerView& view) {
  if (depth_ < stack_.size()) return stack_[depth_++].chosen;  // replaying the prefix
  Node node;
  node.enabled.assign(view.enabled.begin(), view.enabled.end());
  for (ThreadId t : node.enabled) node.pending.push_back(view.pending_of(t));
  node.current = view.current;
  if (!stack_.empty()) {
    const Node& parent = stack_.back();
    node.preemptions = parent.preemptions + cost(parent, parent.chosen);
    if (sleep_sets_) {
      const Transition& ran = pending_at(parent, parent.chosen);
      auto keep = [&](ThreadId t) {
        if (t == parent.chosen || contains(node.sleep, t)) return;
        if (!dependent(pending_at(parent, t), ran)) node.sleep.push_back(t);
      };
      for (ThreadId t : parent.sleep) keep(t);
      for (ThreadId t : parent.done) keep(t);
    }
  }
  const ThreadId pick = next_choice(node);
  if (pick == kNoThread) {
    abandoned_ = true;
    return kNoThread;
  }
  node.chosen = pick;
  node.done.push_back(pick);
  stack_.push_back(std::move(node));
  depth_++;
  return pick;
}

void DfsStrategy::end_execution(std::uint64_t) {
  if (abandoned_) pruned_++;
  while (!stack_.empty()) {
    Node& node = stack_.back();
    const ThreadId next = next_choice(node);
    if (next != kNoThread) {
      node.chosen = next;
      node.done.push_back(next);
      return;
    }
    stack_.pop_back();
  }
  exhausted_ = true;
}

std::string DfsStrategy::describe() const {
  return "dfs preemption bound " + std::to_string(bound_) +
         (sleep_sets_ ? " with sleep sets" : " without sleep sets");
}

}  // namespace mprogsim::sim
