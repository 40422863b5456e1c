// SPDX-License-Identifier: GPL-2.0
// A simulated thread's next step, announced before it is scheduled. Each model
// access through kernel_compat.h's accessors, each RCU call and each free is one
// scheduling point: the thread stops *before* the access and says what it will do,
// so that strategies (and the DFS's sleep sets) can reason about what runs next.
// Between two points a thread runs alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "model/kernel_compat.h"

namespace mprogsim::sim {

// Thread ids: 0 is the control path, 1..N the datapath readers. kRcuThread stands
// for "run the oldest RCU callback whose grace period is over".
using ThreadId = std::uint8_t;
inline constexpr ThreadId kControlThread = 0;
inline constexpr ThreadId kRcuThread = 0xfe;
inline constexpr ThreadId kNoThread = 0xff;
inline constexpr std::size_t kMaxReaders = 8;

// "C", "R1", ..., "rcu"
inline std::string thread_name(ThreadId id) {
  if (id == kControlThread) return "C";
  if (id == kRcuThread) return "rcu";
  return "R" + std::to_string(id);
}

enum class StepKind : std::uint8_t {
  kStart,      // the thread's first step: from its creation to its first point
  kAccess,     // a memory access (see MemAccess)
  kRcuLock,    // rcu_read_lock
  kRcuUnlock,  // rcu_read_unlock
  kSyncStart,  // synchronize_rcu: the grace period starts here
  kSyncWait,   // synchronize_rcu: returns once the grace period is over
  kCallRcu,    // call_rcu / kfree_rcu: the callback's grace period starts here
  kFree,       // kfree outside an RCU callback
  kCallback,   // (kRcuThread only) an RCU callback runs
};

struct Transition {
  StepKind kind = StepKind::kStart;
  MemAccess access = MemAccess::kReadOnce;  // for kAccess
  const void* addr = nullptr;               // kAccess: the location; kFree: the object
  std::size_t size = 0;                     // kFree: the object's size

  bool writes() const;
};

const char* step_kind_name(StepKind kind);
const char* access_name(MemAccess access);

// Whether executing a and b (of different threads) in either order can differ:
// the DFS's sleep sets rely on this being conservative.
bool dependent(const Transition& a, const Transition& b);

}  // namespace mprogsim::sim
