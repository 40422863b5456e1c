// SPDX-License-Identifier: GPL-2.0
// KernelHooks for a sequential world: accesses are plain, a grace period is over as
// soon as it starts, and call_rcu callbacks wait in a queue until the caller drains
// it at the end of the syscall (by then every grace period has elapsed).
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "model/kernel_compat.h"
#include "model/mutants.h"

namespace mprogsim {

class SequentialHooks final : public KernelHooks {
 public:
  void access(MemAccess, const void*, SourceLoc) override {}
  void alloc(const void*, std::size_t, const char*, SourceLoc) override {}
  void kfree(const void*, std::function<void()> destroy, SourceLoc) override { destroy(); }
  void rcu_read_lock(SourceLoc) override {}
  void rcu_read_unlock(SourceLoc) override {}
  void synchronize_rcu(SourceLoc) override {}
  void call_rcu(const void*, std::function<void()> callback, SourceLoc) override {
    pending_.push_back(std::move(callback));
  }
  void warn(const std::string& what) override { warnings_.push_back(what); }
  void out_of_bounds(const std::string& what) override { out_of_bounds_.push_back(what); }

  // Runs every queued callback, including those queued by callbacks.
  void drain() {
    while (!pending_.empty()) {
      auto callback = std::move(pending_.front());
      pending_.pop_front();
      callback();
    }
  }
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::vector<std::string>& out_of_bounds() const { return out_of_bounds_; }

 private:
  std::deque<std::function<void()>> pending_;
  std::vector<std::string> warnings_;
  std::vector<std::string> out_of_bounds_;
};

// Installs hooks, an object table and the mutant of the system they belong to for
// the current thread, for one scope (one sequential call, or one simulated run), and
// puts the previous ones back when it ends.
class KernelScope {
 public:
  KernelScope(KernelHooks* hooks, class BpfObjects* objects, Mutant mutant = Mutant::kNone);
  ~KernelScope();
  KernelScope(const KernelScope&) = delete;
  KernelScope& operator=(const KernelScope&) = delete;

 private:
  KernelHooks* saved_hooks_;
  class BpfObjects* saved_objects_;
  Mutant saved_mutant_;
};

}  // namespace mprogsim
