// SPDX-License-Identifier: GPL-2.0
// The harness half every variant's System shares (model/<variant>/system.h): one
// process's fd table and objects, the sequential hooks, the mutant the system was made
// with, the initial revision, and the scope that installs them for one call. The
// mirrored half (the device, the syscall entry points) stays in each variant.
//
// Two ways to drive a system. Sequential (the default): each call runs to completion
// under the system's own SequentialHooks, with its own mutant, and the deferred frees
// it queued run before it returns. Driven (the simulator): the driver installs its own
// KernelHooks, this system's objects(), its mutant() and its initial revision on the
// thread for a whole run (KernelScope); calls then leave the thread's state alone,
// because several simulated threads interleave inside calls on one OS thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/bpf_objects.h"
#include "model/mprog_api.h"
#include "model/mutants.h"
#include "model/sequential_hooks.h"

namespace mprogsim {

// Revision: the type of the mirror's initial revision knob (int in v2, s64 upstream);
// get/set: the mirror's bpf_mprog_initial_revision / bpf_mprog_set_initial_revision.
template <typename Revision, Revision (*get)(), void (*set)(Revision)>
class SystemHarness : public MprogApi {
 public:
  struct Driven {};

  int prog_load(ProgType type) override {
    CallScope scope(this);
    return objects_.prog_load(type);
  }
  int prog_id(u32 fd) const override { return objects_.prog_id_of_fd(fd); }
  int link_id(u32 fd) const override { return objects_.link_id_of_fd(fd); }
  ObjectInfo prog_info(u32 id) const override { return objects_.prog_info(id); }
  ObjectInfo link_info(u32 id) const override { return objects_.link_info(id); }
  const std::vector<std::string>& warnings() const override { return hooks_.warnings(); }
  const std::vector<std::string>& out_of_bounds() const override { return hooks_.out_of_bounds(); }

  const BpfObjects& objects() const { return objects_; }
  BpfObjects& objects() { return objects_; }
  bool driven() const { return driven_; }
  Revision initial_revision() const { return initial_revision_; }
  // The mutant this system runs (sequential calls install it; a driver installs it).
  Mutant mutant() const { return mutant_; }

 protected:
  SystemHarness(bool driven, Mutant mutant) : driven_(driven), mutant_(mutant) {}

  // Installs this system's hooks, objects, mutant and initial revision for one call
  // and runs the deferred callbacks when the call ends; nothing when driven (the
  // driver owns the thread's state).
  class CallScope {
   public:
    explicit CallScope(SystemHarness* system) : system_(system->driven_ ? nullptr : system) {
      if (!system_) return;
      scope_.emplace(&system->hooks_, &system->objects_, system->mutant_);
      saved_revision_ = get();
      set(system->initial_revision_);
    }
    ~CallScope() {
      if (!system_) return;
      system_->hooks_.drain();
      set(saved_revision_);
    }
    CallScope(const CallScope&) = delete;
    CallScope& operator=(const CallScope&) = delete;

   private:
    SystemHarness* system_;
    std::optional<KernelScope> scope_;
    Revision saved_revision_ = 1;
  };

  SequentialHooks hooks_;
  BpfObjects objects_;
  Revision initial_revision_ = 1;
  bool driven_ = false;
  Mutant mutant_ = Mutant::kNone;
};

}  // namespace mprogsim
