// SPDX-License-Identifier: GPL-2.0
#include "sim/shadow_memory.h"

#include <algorithm>
#include <cstdio>

#include "common/assert.h"

namespace mprogsim::sim {

std::string Allocation::name() const {
  if (what == "bpf_prog" && model_id) return "bpf_prog P" + std::to_string(model_id);
  if (what == "bpf_link" && model_id) return "bpf_link L" + std::to_string(model_id);
  return std::string(what) + "#" + std::to_string(kind_seq);
}

void ShadowMemory::reset() {
  release();
  allocations_.clear();
  by_start_.clear();
  kind_counts_.clear();
  last_ = before_last_ = static_cast<std::size_t>(-1);
}

Allocation& ShadowMemory::add(const void* object, std::size_t size, const char* what) {
  const auto start = reinterpret_cast<std::uintptr_t>(object);
  // Memory is quarantined, never reused within an execution: a new object lies in no
  // allocation seen before (else every lookup below would be ambiguous).
  SIM_ASSERT(find(object) == nullptr, "an allocation inside one already tracked");
  Allocation a;
  a.start = start;
  a.size = size;
  a.what = what;
  if (allocations_.empty()) {
    // One allocation each for the usual execution's few objects, not one per doubling.
    allocations_.reserve(16);
    by_start_.reserve(16);
  }
  a.seq = static_cast<std::uint32_t>(allocations_.size() + 1);
  auto count = std::find_if(kind_counts_.begin(), kind_counts_.end(),
                            [&](const auto& c) { return c.first == a.what; });
  if (count == kind_counts_.end()) count = kind_counts_.insert(count, {a.what, 0});
  a.kind_seq = ++count->second;
  if (a.what == "bpf_prog") a.kind = Allocation::Kind::kProg;
  if (a.what == "bpf_link") a.kind = Allocation::Kind::kLink;
  if (a.what == "bpf_mprog_bundle" || a.what == "tcx_entry") a.kind = Allocation::Kind::kEntry;
  allocations_.push_back(std::move(a));
  // Memory is quarantined, never reused within an execution: starts are unique.
  const std::pair<std::uintptr_t, std::size_t> entry{start, allocations_.size() - 1};
  by_start_.insert(std::upper_bound(by_start_.begin(), by_start_.end(), entry), entry);
  before_last_ = last_;
  last_ = allocations_.size() - 1;
  return allocations_.back();
}

Allocation* ShadowMemory::find_slow(std::uintptr_t p) {
  auto it = std::upper_bound(by_start_.begin(), by_start_.end(), p,
                             [](std::uintptr_t x, const auto& e) { return x < e.first; });
  if (it == by_start_.begin()) return nullptr;
  --it;
  Allocation& a = allocations_[it->second];
  if (p >= a.start + a.size) return nullptr;
  before_last_ = last_;
  last_ = it->second;
  return &a;
}

std::string ShadowMemory::describe(const void* addr) {
  const Allocation* a = find(addr);
  if (!a) return "untracked memory";
  const auto offset = reinterpret_cast<std::uintptr_t>(addr) - a->start;
  if (offset == 0) return a->name();
  char buf[32];
  std::snprintf(buf, sizeof(buf), "+0x%zx", static_cast<std::size_t>(offset));
  return a->name() + buf;
}

void ShadowMemory::release() {
  for (auto& destroy : quarantine_) destroy();
  quarantine_.clear();
}

}  // namespace mprogsim::sim
