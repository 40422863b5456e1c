// SPDX-License-Identifier: GPL-2.0
#include "sim/random_strategy.h"

namespace mprogsim::sim {

namespace {
constexpr std::size_t kSlots = kMaxReaders + 2;
std::size_t slot_of(ThreadId t) { return t == kRcuThread ? kSlots - 1 : t; }
}  // namespace

bool RandomStrategy::begin_execution(std::uint64_t index) {
  rng_ = Rng(seed_ ^ mix64(index + 0x5eed));
  const bool uniform = index % 2 == 0;
  for (auto& speed : speeds_) speed = uniform ? 1 : std::uint64_t{1} << rng_.below(7);
  return true;
}

ThreadId RandomStrategy::choose(const SchedulerView& view) {
  std::uint64_t total = 0;
  for (ThreadId t : view.enabled) total += speeds_[slot_of(t)];
  std::uint64_t pick = rng_.below(total);
  for (ThreadId t : view.enabled) {
    if (pick < speeds_[slot_of(t)]) return t;
    pick -= speeds_[slot_of(t)];
  }
  return view.enabled.back();
}

}  // namespace mprogsim::sim
