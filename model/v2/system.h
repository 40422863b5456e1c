// SPDX-License-Identifier: GPL-2.0
// The v2 model behind the MprogApi contract: one process's fd table and objects, one
// device with one tcx hook, and the bpf() syscall entry points of that series
// (kernel/bpf/syscall.c: bpf_prog_attach, bpf_prog_detach, link_create, link_update,
// link_detach, bpf_prog_query) with their reference handling.
//
// Two ways to drive it. Sequential (the default): each call runs to completion under
// the system's own SequentialHooks, and the deferred frees it queued run before it
// returns. Driven (the simulator): the driver installs its own KernelHooks, this
// system's objects(), the mutant and the initial revision on the thread for a whole
// run (KernelScope); calls then leave the thread's state alone, because several
// simulated threads interleave inside calls on one OS thread.
#pragma once

#include "model/bpf_objects.h"
#include "model/mprog_api.h"
#include "model/sequential_hooks.h"
#include "model/v2/tcx.h"

namespace mprogsim::v2 {

class System final : public MprogApi {
 public:
  struct Driven {};
  System();
  explicit System(Driven);
  ~System() override;

  int prog_load(ProgType type) override;
  int prog_id(u32 fd) const override { return objects_.prog_id_of_fd(fd); }
  int link_id(u32 fd) const override { return objects_.link_id_of_fd(fd); }
  int prog_attach(const ProgAttachAttr& attr) override;
  int prog_detach(const ProgAttachAttr& attr) override;
  int link_create(const LinkCreateAttr& attr) override;
  int link_update(const LinkUpdateAttr& attr) override;
  int link_detach(u32 link_fd) override;
  int close_fd(u32 fd) override;
  QueryResult prog_query(const QueryAttr& attr) override;
  std::vector<u32> run() override;
  void miniq_inc() override;
  void miniq_dec() override;
  u32 miniq_holds() const override;
  ObjectInfo prog_info(u32 id) const override { return objects_.prog_info(id); }
  ObjectInfo link_info(u32 id) const override { return objects_.link_info(id); }
  StaticKeys static_keys() const override { return {dev_.tcx_needed_key, dev_.ingress_queue}; }
  void set_initial_revision(u64 revision) override;
  const std::vector<std::string>& warnings() const override { return hooks_.warnings(); }
  const std::vector<std::string>& out_of_bounds() const override {
    return hooks_.out_of_bounds();
  }

  // Internals the invariant checks read (never written from outside).
  const net_device& device() const { return dev_; }
  const BpfObjects& objects() const { return objects_; }
  BpfObjects& objects() { return objects_; }
  net_device& device() { return dev_; }
  bool driven() const { return driven_; }
  int initial_revision() const { return initial_revision_; }

 private:
  // Installs this system's hooks, objects and initial revision for one call and
  // runs the deferred callbacks when the call ends.
  class CallScope;

  SequentialHooks hooks_;
  BpfObjects objects_;
  net_device dev_{};
  int initial_revision_ = 1;
  bool driven_ = false;
};

}  // namespace mprogsim::v2
