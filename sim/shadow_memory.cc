// SPDX-License-Identifier: GPL-2.0
#include "sim/shadow_memory.h"

#include <cstdio>

namespace mprogsim::sim {

std::string Allocation::name() const {
  if (what == "bpf_prog" && model_id) return "bpf_prog P" + std::to_string(model_id);
  if (what == "bpf_link" && model_id) return "bpf_link L" + std::to_string(model_id);
  return what + "#" + std::to_string(kind_seq);
}

void ShadowMemory::reset() {
  release();
  allocations_.clear();
  by_start_.clear();
  kind_counts_.clear();
  last_ = static_cast<std::size_t>(-1);
}

Allocation& ShadowMemory::add(const void* object, std::size_t size, const char* what) {
  const auto start = reinterpret_cast<std::uintptr_t>(object);
  Allocation a;
  a.start = start;
  a.size = size;
  a.what = what;
  a.seq = static_cast<std::uint32_t>(allocations_.size() + 1);
  a.kind_seq = ++kind_counts_[a.what];
  allocations_.push_back(std::move(a));
  // Memory is quarantined, never reused within an execution: starts are unique.
  by_start_[start] = allocations_.size() - 1;
  last_ = allocations_.size() - 1;
  return allocations_.back();
}

Allocation* ShadowMemory::find(const void* addr) {
  const auto p = reinterpret_cast<std::uintptr_t>(addr);
  if (last_ < allocations_.size()) {
    Allocation& a = allocations_[last_];
    if (p >= a.start && p < a.start + a.size) return &a;
  }
  auto it = by_start_.upper_bound(p);
  if (it == by_start_.begin()) return nullptr;
  --it;
  Allocation& a = allocations_[it->second];
  if (p >= a.start + a.size) return nullptr;
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
