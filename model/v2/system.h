// SPDX-License-Identifier: GPL-2.0
// The v2 model behind the MprogApi contract: one process's fd table and objects, one
// device with one tcx hook, and the bpf() syscall entry points of that series
// (kernel/bpf/syscall.c: bpf_prog_attach, bpf_prog_detach, link_create, link_update,
// link_detach, bpf_prog_query) with their reference handling.
//
// The harness half (fds, objects, hooks, the mutant, sequential or driven calls) is
// model/system_harness.h.
#pragma once

#include "model/system_harness.h"
#include "model/v2/tcx.h"

namespace mprogsim::v2 {

class System final
    : public SystemHarness<int, &bpf_mprog_initial_revision, &bpf_mprog_set_initial_revision> {
 public:
  explicit System(Mutant mutant = Mutant::kNone);
  explicit System(Driven, Mutant mutant = Mutant::kNone);
  ~System() override;

  int prog_attach(const ProgAttachAttr& attr) override;
  int prog_detach(const ProgAttachAttr& attr) override;
  int link_create(const LinkCreateAttr& attr) override;
  int link_update(const LinkUpdateAttr& attr) override;
  int link_detach(u32 link_fd) override;
  int close_fd(u32 fd) override;
  QueryResult prog_query(const QueryAttr& attr) override;
  void run_into(std::vector<u32>& ran) override;
  void miniq_inc() override;
  void miniq_dec() override;
  u32 miniq_holds() const override;
  StaticKeys static_keys() const override { return {dev_.tcx_needed_key, dev_.ingress_queue}; }
  void set_initial_revision(u64 revision) override;

  // Internals the invariant checks read (never written from outside).
  const net_device& device() const { return dev_; }
  net_device& device() { return dev_; }

 private:
  net_device dev_{};
};

}  // namespace mprogsim::v2
