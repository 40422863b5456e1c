// SPDX-License-Identifier: GPL-2.0
// What one execution remembers of each simulated thread besides its fiber
// (sim/fiber_threads.h): its announced next step, its position, its RCU read-side
// section and the pass it is in. Read by the scheduler, the snapshot property and
// the state hash. Also the entries readers hold, which the scheduling-point rules
// and the state hash read.
#pragma once

#include <cstdint>

#include "sim/rcu.h"
#include "sim/transition.h"

namespace mprogsim::sim {

struct ThreadState {
  Transition pending;              // the step it announced and waits to run
  SimRcu::Snapshot sync_snapshot;  // kSyncWait: the grace period it waits for
  std::uint64_t steps = 0;
  std::uint64_t section_start = 0;    // the step of the last outermost rcu_read_lock
  std::uint32_t section_start_c = 0;  // ... and the control steps that happen before it
  std::uint32_t pass_load_c = 0;      // the control steps that happen before the pass's first load
  bool pass_loaded = false;           // the pass has loaded the published pointer
  std::uint64_t calls = 0;            // hooks called: its position in its own code
  std::uint64_t pass_read = 0;        // a hash of what the current pass has read
  bool parked = false;                // collect_outcome: stopped where it cannot go on
  bool spawned = false;               // its first step has joined the setup's clock
};

// An entry a reader loaded with rcu_dereference, until the control path knows (by
// happens-before) that the pass which loaded it is over.
struct Hold {
  std::uintptr_t entry = 0;
  ThreadId reader = kNoThread;
  std::uint32_t end_po = 0;  // the reader's last step of that pass; 0 while it lasts
};

}  // namespace mprogsim::sim
