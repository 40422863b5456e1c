// SPDX-License-Identifier: GPL-2.0
// What each thread may do in a subtree of the search, for state caching in DPOR
// (sim/dpor_strategy.h): one small Bloom filter per thread of the effects of its
// steps (locations read and written, objects touched and freed, read-side lock or
// unlock, grace-period snapshot). A query can answer "may conflict" wrongly, never
// "does not" wrongly: a false yes only makes the search explore more.
#pragma once

#include <array>
#include <cstdint>

#include "sim/happens_before.h"

namespace mprogsim::sim {

class EffectSummary {
 public:
  void add(std::size_t slot, const StepEffect& e);
  // Whether some step of thread `slot` in the subtree may conflict with `e`, a
  // step of another thread before it.
  bool may_conflict(std::size_t slot, const StepEffect& e) const;
  void merge(const EffectSummary& other);

 private:
  using Bits = std::array<std::uint64_t, 8>;  // 512 bits
  enum Tag : std::uint64_t { kRead = 1, kWrite, kTouch, kFree, kLockUnlock, kSnapshot, kUnknown };
  static void set(Bits& b, Tag tag, std::uint64_t value);
  static bool test(const Bits& b, Tag tag, std::uint64_t value);
  std::array<Bits, kMaxSlots> bits_{};
};

}  // namespace mprogsim::sim
