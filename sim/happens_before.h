// SPDX-License-Identifier: GPL-2.0
// Happens-before over the scheduled steps of one execution, with vector clocks.
// Two steps of different threads are ordered when they *conflict*: they touch the
// same location and one writes (a refcount is a location of its own, apart from
// the program's code that bpf_prog_run reads), a free and any access to the freed
// object, or a read-side lock/unlock and a grace-period start or call_rcu (which
// read every reader's section state). Three more orderings are *enabling* edges:
// the unlocks that end a grace period's sections come before the
// `synchronize_rcu` that waits for them and before the callback that waits for
// them, call_rcu comes before its callback, and with --start-readers-after the
// step that ends the setup comes before every reader's first step. Those cannot be
// reversed (the later step cannot run before the earlier one), so they are never
// races.
//
// The execution uses the clocks for the snapshot property (a pass is judged by
// which control steps happen before it, not by where the scheduler happened to put
// them, so that equivalent executions get the same verdict); DPOR uses the races:
// pairs of conflicting steps of different threads with nothing else ordering them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/transition.h"

namespace mprogsim::sim {

// Thread slots: 0 the control path, 1..n the readers, n+1 the RCU callbacks.
inline constexpr std::size_t kMaxSlots = kMaxReaders + 2;
using SlotMask = std::uint16_t;
static_assert(kMaxSlots <= 16, "SlotMask holds one bit per slot");

struct VectorClock {
  std::array<std::uint32_t, kMaxSlots> c{};
  // Whether the event number `po` (1-based) of `slot` happens before this clock.
  bool knows(std::size_t slot, std::uint32_t po) const { return c[slot] >= po; }
};

// What a step did, as far as another thread can tell (for DPOR's sleep sets).
// Locations are named by the allocation's creation number and the offset in it,
// never by address: they are compared across executions, and only the control
// path allocates, always in the same order.
struct StepEffect {
  StepKind kind = StepKind::kStart;
  MemAccess access = MemAccess::kReadOnce;
  std::uint64_t key = 0;     // kAccess: the location (see location_key)
  std::uint32_t object = 0;  // kAccess: the allocation it is in; kFree, kCallback: the one freed
  std::uint8_t frees = 0;    // kCallback: how many objects it freed
  bool write = false;
  bool untracked = false;  // an access outside every known allocation
};

// A location: allocation `object`, byte `offset`, and whether it is the object's
// reference count (apart from the program bpf_prog_run reads at the same address).
inline std::uint64_t location_key(std::uint32_t object, std::uint64_t offset, bool refcount) {
  return (std::uint64_t{object} << 33) | (offset << 1) | (refcount ? 1 : 0);
}

// Whether two steps of different threads may not commute (conservative).
bool conflicting(const StepEffect& a, const StepEffect& b);

struct StepRecord {
  ThreadId thread = kNoThread;
  std::uint8_t slot = 0;
  std::uint32_t po = 0;  // 1-based index of the step among its thread's steps
  VectorClock clock;     // everything that happens before it, itself included
  StepEffect effect;
  std::uint32_t races_begin = 0;  // [races_begin, races_end) in HappensBefore::races()
  std::uint32_t races_end = 0;
};

class HappensBefore {
 public:
  // `readers`: threads 1..readers; `record_races`: keep the race list (DPOR).
  void reset(std::size_t readers, bool record_races);

  std::size_t slot_of(ThreadId t) const { return t == kRcuThread ? readers_ + 1 : t; }
  std::size_t slots() const { return readers_ + 2; }

  // One scheduled step: begin, then what it did, then end.
  void begin(ThreadId t);
  // A memory access at `key` inside allocation `object` (its creation number; 0:
  // untracked).
  void access(std::uint64_t key, bool write, std::uint32_t object);
  void free(std::uint32_t object);
  void rcu_lock_or_unlock(ThreadId reader);  // writes the reader's section state
  void rcu_snapshot();                       // synchronize_rcu start, call_rcu: reads them all
  // The unlock that ends `reader`'s section number `section` (from 1) is this step.
  void ends_section(ThreadId reader, std::uint64_t section);
  // Enabling edges: the unlock that ended a section, any earlier step, a clock.
  void after_section(ThreadId reader, std::uint64_t section);
  void after_step(std::uint64_t step);
  void after_clock(const VectorClock& clock);
  // What the open step did, filled in place between begin() and end().
  StepEffect& effect() { return cur_.effect; }
  void end();

  // The clock of a thread: everything that happens before its next step.
  const VectorClock& clock(ThreadId t) const { return clocks_[slot_of(t)]; }
  const std::vector<StepRecord>& steps() const { return steps_; }
  const std::vector<std::uint32_t>& races() const { return races_; }

 private:
  struct Location {
    std::array<std::uint32_t, kMaxSlots> last_write{};   // step + 1 of each slot's last write
    std::array<std::uint32_t, kMaxSlots> last_access{};  // ... last read or write
  };
  struct Object {
    std::array<std::uint32_t, kMaxSlots> last_access{};  // step + 1, any location inside
    std::uint32_t freed = 0;                             // step + 1 of its free
  };
  Location& location(std::uint64_t key);
  Object& object(std::uint32_t seq);
  void candidate(std::uint32_t step_plus_one);

  std::size_t readers_ = 0;
  bool record_races_ = false;
  std::array<VectorClock, kMaxSlots> clocks_{};
  std::vector<StepRecord> steps_;
  std::vector<std::uint32_t> races_;
  StepRecord cur_;
  bool open_ = false;
  std::vector<std::uint32_t> candidates_;  // conflicting earlier steps of other threads
  // Open addressing over location keys; `stamp_` makes reset O(1).
  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> stamps_;
  std::vector<std::uint32_t> index_;
  std::vector<Location> locations_;
  std::uint32_t stamp_ = 1;
  std::vector<Object> objects_;
  std::array<std::vector<std::uint32_t>, kMaxSlots> section_ends_;  // step + 1, by section
};

}  // namespace mprogsim::sim
