// SPDX-License-Identifier: GPL-2.0
#include "sim/state_hash.h"

namespace mprogsim::sim {

std::uint64_t stable_id(ShadowMemory& shadow, std::uintptr_t p) {
  if (!p) return 0;
  const Allocation* a = shadow.find(reinterpret_cast<const void*>(p));
  return a ? (std::uint64_t{a->seq} << 32) + (p - a->start) : mix64(p);
}

// The state a choice is made in. The control path's code is deterministic: what it
// reads only it writes (slots, refcounts, fd tables), so its position (hooks
// called) fixes the model's memory, together with which RCU callbacks have freed
// what. A reader's position is its hooks called and what its pass has read. Then
// what RCU remembers (nesting, the sections a grace period or callback still waits
// for), what the elision rules know (entries a pass may still hold), and what the
// snapshot property will compare (how many linearization points each reader and
// each pass's load know of). Happens-before enters only through those comparisons.
StateKey state_key(const StateView& s) {
  StateKey k{0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL};
  auto add = [&k](std::uint64_t x) {
    k.a = mix64(k.a ^ x);
    k.b = mix64(k.b + x * 0x9e3779b97f4a7c15ULL + 0x3c6ef372fe94f82bULL);
  };
  add(s.readers_started);
  add(s.callbacks_run);
  for (std::size_t i = 0; i < s.threads.size(); i++) {
    const ThreadState& t = s.threads[i];
    const auto id = static_cast<ThreadId>(i);
    const bool done = s.fibers.done(id);
    add(t.calls);
    add((done ? 1 : 0) | (t.parked ? 2 : 0) | (t.pass_loaded ? 4 : 0));
    if (i == kControlThread) {
      if (!done && t.pending.kind == StepKind::kSyncWait) add(s.rcu.still_open(t.sync_snapshot));
      continue;
    }
    add(s.rcu.nesting(id));
    add(t.pass_read);
    add(s.progress.published_rank(s.hb.clock(id).c[kControlThread]));
    if (t.pass_loaded) add(s.progress.published_rank(t.pass_load_c));
  }
  add(s.rcu.queue().size());
  for (const SimRcu::Callback& cb : s.rcu.queue()) add(s.rcu.still_open(cb.snapshot));
  // Holds, in any order: which entries a pass may still hold, as far as the control
  // path knows.
  std::uint64_t holds = 0;
  const VectorClock& known = s.hb.clock(kControlThread);
  for (const Hold& h : s.holds) {
    if (h.end_po && known.knows(s.hb.slot_of(h.reader), h.end_po)) continue;
    holds += mix64(stable_id(s.shadow, h.entry) ^ (std::uint64_t{h.reader} << 56) ^
                   (h.end_po ? 1ULL << 60 : 0));
  }
  add(holds);
  return k;
}

}  // namespace mprogsim::sim
