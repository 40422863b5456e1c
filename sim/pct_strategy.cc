// SPDX-License-Identifier: GPL-2.0
#include "sim/pct_strategy.h"

#include <algorithm>

namespace mprogsim::sim {
namespace {
constexpr std::size_t kSlots = kMaxReaders + 2;  // control, readers, the RCU callbacks
std::size_t slot_of(ThreadId t) { return t == kRcuThread ? kSlots - 1 : t; }
}  // namespace

bool PctStrategy::begin_execution(std::uint64_t index) {
  rng_ = Rng(seed_ ^ mix64(index + 0x9c7));
  // A random permutation of priorities depth .. depth + kSlots - 1.
  priorities_.resize(kSlots);
  for (std::size_t i = 0; i < kSlots; i++) priorities_[i] = depth_ + i;
  for (std::size_t i = kSlots - 1; i > 0; i--) {
    std::swap(priorities_[i], priorities_[rng_.below(i + 1)]);
  }
  change_points_.clear();
  if (max_racing_steps_ > 0) {
    for (std::uint32_t i = 1; i < depth_; i++)
      change_points_.push_back(1 + rng_.below(max_racing_steps_));
  }
  std::sort(change_points_.begin(), change_points_.end());
  next_change_ = 0;
  racing_steps_ = 0;
  return true;
}

std::uint64_t PctStrategy::priority_of(ThreadId t) { return priorities_[slot_of(t)]; }

ThreadId PctStrategy::choose(const SchedulerView& view) {
  auto best = [&] {
    ThreadId pick = view.enabled.front();
    for (ThreadId t : view.enabled) {
      if (priority_of(t) > priority_of(pick)) pick = t;
    }
    return pick;
  };
  ThreadId pick = best();
  if (view.enabled.size() < 2) return pick;  // no race: not a step
  racing_steps_++;
  // At a change point the thread about to run drops to priority 1, 2, ... in turn.
  while (next_change_ < change_points_.size() && change_points_[next_change_] <= racing_steps_) {
    priorities_[slot_of(pick)] = ++next_change_;
    pick = best();
  }
  return pick;
}

void PctStrategy::end_execution(std::uint64_t) {
  max_racing_steps_ = std::max(max_racing_steps_, racing_steps_);
}

std::string PctStrategy::describe() const { return "pct depth " + std::to_string(depth_); }

}  // namespace mprogsim::sim
