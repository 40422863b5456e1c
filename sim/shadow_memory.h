// SPDX-License-Identifier: GPL-2.0
// Shadow memory: every allocation the model announces (programs, links, bundles),
// whether it has been freed, who freed it and when. Freed memory is quarantined,
// not released, until the execution ends, so a late access is reported at the
// exact step instead of being undefined behaviour. Objects are named by kind and
// creation order ("bpf_mprog_bundle#2"), never by address, so reports are stable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/transition.h"

namespace mprogsim::sim {

struct Allocation {
  // What the simulator needs to tell apart quickly (from `what`).
  enum class Kind : std::uint8_t { kOther, kProg, kLink, kEntry /* bundle or tcx_entry */ };
  std::uintptr_t start = 0;
  std::size_t size = 0;
  // "bpf_prog", "bpf_link", "bpf_mprog_bundle": the string literal the model passes
  // to KernelHooks::alloc (static storage; not copied, allocations are frequent).
  std::string_view what;
  Kind kind = Kind::kOther;
  std::uint32_t seq = 0;       // creation order among all allocations, from 1
  std::uint32_t kind_seq = 0;  // creation order among allocations of the same kind
  std::uint32_t model_id = 0;  // programs and links: their id, when known
  bool freed = false;
  bool rcu_free_queued = false;    // call_rcu / kfree_rcu was called for it
  ThreadId freed_by = kNoThread;   // kRcuThread: by an RCU callback
  std::uint64_t freed_at = 0;      // the global step of the free
  ThreadId queued_by = kNoThread;  // for RCU frees: who called call_rcu
  std::uint64_t queued_at = 0;

  std::string name() const;  // "bpf_mprog_bundle#2", "bpf_prog P3"
};

class ShadowMemory {
 public:
  void reset();
  Allocation& add(const void* object, std::size_t size, const char* what);
  // The allocation containing addr, or null if addr is not in tracked memory. Asked
  // several times per access, mostly for the allocation asked last.
  Allocation* find(const void* addr) {
    const auto p = reinterpret_cast<std::uintptr_t>(addr);
    if (last_ < allocations_.size()) {
      Allocation& a = allocations_[last_];
      if (p - a.start < a.size) return &a;
    }
    if (before_last_ < allocations_.size()) {
      Allocation& a = allocations_[before_last_];
      if (p - a.start < a.size) {
        std::swap(last_, before_last_);
        return &a;
      }
    }
    return find_slow(p);
  }
  // Describes addr as "bundle#2+0x48" for reports.
  std::string describe(const void* addr);
  void quarantine(std::function<void()> destroy) { quarantine_.push_back(std::move(destroy)); }
  // Releases quarantined memory (call at the end of an execution).
  void release();
  // Every allocation, in creation order.
  const std::vector<Allocation>& all() const { return allocations_; }

 private:
  Allocation* find_slow(std::uintptr_t p);

  std::vector<Allocation> allocations_;  // in creation order
  // (start, index) sorted by start: few allocations, looked up on every access.
  std::vector<std::pair<std::uintptr_t, std::size_t>> by_start_;
  // Allocations so far of each `what` (a handful of kinds: a flat list, no map).
  std::vector<std::pair<std::string_view, std::uint32_t>> kind_counts_;
  std::vector<std::function<void()>> quarantine_;
  // A two-entry lookup cache: the allocations found last (the control path and a
  // reader, or an entry and a program, alternate).
  std::size_t last_ = static_cast<std::size_t>(-1);
  std::size_t before_last_ = static_cast<std::size_t>(-1);
};

}  // namespace mprogsim::sim
