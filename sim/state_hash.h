// SPDX-License-Identifier: GPL-2.0
// An execution's state, hashed two ways:
//   - state_key: everything the rest of the execution depends on, 128 bits, for
//     dpor's state cache (docs/simulator.md says why equal keys have equal futures);
//   - DistinctHash: each thread's position and the last writer of each shared
//     location, 64 bits, for the distinct-states estimate (sim/distinct_states.h).
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/rng.h"
#include "sim/check.h"
#include "sim/fiber_threads.h"
#include "sim/happens_before.h"
#include "sim/rcu.h"
#include "sim/shadow_memory.h"
#include "sim/strategy.h"
#include "sim/thread_state.h"

namespace mprogsim::sim {

// A pointer as an object and offset (its creation number), never an address: the
// same in every execution. Untracked memory hashes its address.
std::uint64_t stable_id(ShadowMemory& shadow, std::uintptr_t p);

// What state_key reads: the execution's threads and what RCU, happens-before, the
// scheduling-point rules and the snapshot property remember.
struct StateView {
  std::span<const ThreadState> threads;
  const FiberThreads& fibers;
  const SimRcu& rcu;
  const HappensBefore& hb;
  const std::vector<Hold>& holds;
  const ControlProgress& progress;
  ShadowMemory& shadow;
  bool readers_started = false;
  std::uint64_t callbacks_run = 0;
};

StateKey state_key(const StateView& view);

class DistinctHash {
 public:
  // Thread t has performed one more step (it had performed `steps_before`).
  void moved(ThreadId t, std::uint64_t steps_before) {
    const std::uint64_t old_pos = mix64((std::uint64_t{t} << 56) ^ steps_before);
    pos_ ^= old_pos ^ mix64((std::uint64_t{t} << 56) ^ (steps_before + 1));
  }
  // Thread t, at its step `steps`, wrote `location` (an object and offset).
  void wrote(std::uint64_t location, ThreadId t, std::uint64_t steps) {
    const std::uint64_t contribution = mix64(location ^ mix64((std::uint64_t{t} << 40) ^ steps));
    auto [it, fresh] = last_write_.try_emplace(location, 0);
    mem_ ^= it->second ^ contribution;
    it->second = contribution;
    (void)fresh;
  }
  std::uint64_t value() const { return pos_ ^ mem_; }
  void reset() {
    pos_ = mem_ = 0;
    last_write_.clear();
  }

 private:
  std::uint64_t pos_ = 0;
  std::uint64_t mem_ = 0;
  std::unordered_map<std::uint64_t, std::uint64_t> last_write_;  // lookups only
};

}  // namespace mprogsim::sim
