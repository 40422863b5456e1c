// SPDX-License-Identifier: GPL-2.0
// MprogSpec: the abstract specification of one upstream tcx hook (bpf_mprog as merged in
// Linux 6.6 with its later fixes, the tcx caller and the syscall layer; see
// docs/semantics.md, "Upstream variant"), written as rules on a plain ordered list. It
// shares no code and no shape with the faithful model (model/upstream/bpf_mprog.*,
// tcx.*, system.*): the property tests run both on the same operations and compare every
// result, so a bug has to be made twice, in two different ways, to go unnoticed.
//
// What is kept: an object table (programs and links by id, with reference counts), an fd
// table, and the hook (entry present or not, the list of slots, the 64-bit revision,
// the qdisc's holds). Between two calls an existing entry is always the published one.
#pragma once

#include <string>
#include <vector>

#include "model/mprog_api.h"
#include "model/spec_objects.h"

namespace mprogsim::upstream {

class MprogSpec final : public MprogApi {
 public:
  int prog_load(ProgType type) override { return static_cast<int>(objects_.load_prog(type)); }
  int prog_id(u32 fd) const override { return objects_.by_fd(FdKind::kProg, fd); }
  int link_id(u32 fd) const override { return objects_.by_fd(FdKind::kLink, fd); }
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
  u32 miniq_holds() const override { return miniq_holds_; }
  // tcx_needed_key: one per attached program; ingress_queue: one more per qdisc hold.
  StaticKeys static_keys() const override {
    const auto programs = static_cast<s64>(slots_.size());
    return {programs, programs + miniq_holds_};
  }
  ObjectInfo prog_info(u32 id) const override { return objects_.prog_info(id); }
  ObjectInfo link_info(u32 id) const override { return objects_.link_info(id); }
  void set_initial_revision(u64 revision) override;
  const std::vector<std::string>& warnings() const override { return warnings_; }
  // A list has no fixed array to leave.
  const std::vector<std::string>& out_of_bounds() const override { return none_; }

  // One attached program; upstream keeps no per-slot flags.
  struct Slot {
    u32 prog_id = 0;
    u32 link_id = 0;  // 0: attached through the prog API
  };

  // The object a BEFORE/AFTER request is relative to; prog_id 0 means none. A link
  // relative names its program and, in addition, requires the slot to be the link's.
  struct Relative {
    u32 prog_id = 0;
    u32 link_id = 0;
  };

  // What a hook-level attach asks for (the syscall layer has checked and looked up
  // everything before).
  struct AttachRequest {
    Slot incoming;
    u32 flags = 0;
    u32 relative = 0;           // relative fd or id
    u32 replace_prog_id = 0;    // the program BPF_F_REPLACE names (0: none)
    u64 expected_revision = 0;  // 0: no check
  };

 private:
  using Link = SpecLink;
  using FdKind = SpecFdKind;

  // The relative object of (id_or_fd, flags), its program checked against `type`
  // (kUnspec: no check).
  int resolve_relative(u32 id_or_fd, u32 flags, ProgType type, Relative* rel) const;

  // mprog plus the tcx caller: on success the list is replaced, the revision bumped,
  // and the entry created or released as tcx does.
  int hook_attach(const AttachRequest& request, u32* replaced_prog);
  int hook_detach(u32 prog, u32 link, u32 flags, u32 relative, u64 expected_revision);
  void release_link(u32 link_id);

  SpecObjects<Link> objects_;  // programs, links, fds

  bool entry_ = false;       // a bundle exists (and is the published one)
  std::vector<Slot> slots_;  // empty whenever !entry_
  u64 revision_ = 0;         // atomic64_t upstream: no wrap in practice, no skipping
  u64 initial_revision_ = 1;
  u32 miniq_holds_ = 0;

  std::vector<std::string> warnings_;
  std::vector<std::string> none_;
};

}  // namespace mprogsim::upstream
