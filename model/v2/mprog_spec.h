// SPDX-License-Identifier: GPL-2.0
// MprogSpec: the abstract specification of one v2 tcx hook (bpf_mprog v2 plus its tcx
// caller and the syscall layer, see docs/semantics.md), written as rules on a plain
// ordered list. It shares no code and no shape with the faithful model (bpf_mprog.*,
// tcx.*, system.*): the property tests run both on the same operations and compare
// every result, so a bug has to be made twice, in two different ways, to go unnoticed.
//
// What is kept: an object table (programs and links by id, with refcounts), an fd
// table, and the hook (entry present or not, the list of slots, the revision, the
// qdisc's holds). Between two calls an existing entry is always the published one, so
// one flag covers both; the datapath runs the list as it is.
#pragma once

#include <string>
#include <vector>

#include "model/mprog_api.h"
#include "model/spec_objects.h"

namespace mprogsim::v2 {

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
  ObjectInfo prog_info(u32 id) const override { return objects_.prog_info(id); }
  ObjectInfo link_info(u32 id) const override { return objects_.link_info(id); }
  StaticKeys static_keys() const override { return keys_; }
  void set_initial_revision(u64 revision) override;
  const std::vector<std::string>& warnings() const override { return warnings_; }
  // A list has no fixed array to leave.
  const std::vector<std::string>& out_of_bounds() const override { return none_; }

  // One attached program. `flags` holds only BPF_F_FIRST / BPF_F_LAST.
  struct Slot {
    u32 prog_id = 0;
    u32 link_id = 0;  // 0: attached through the prog API
    u32 flags = 0;
  };

  // The object a BEFORE/AFTER/REPLACE request is relative to; prog_id 0 means none.
  // A link relative names its program and, in addition, requires the slot's link.
  struct Relative {
    u32 prog_id = 0;
    u32 link_id = 0;
  };

 private:
  struct Link : SpecLink {
    u32 flags = 0;  // FIRST|LAST of the create flags: used again on update and detach
  };
  using FdKind = SpecFdKind;

  // bpf_mprog_tuple_relative(): resolves (object, flags) checking against `type`
  // (kUnspec: no check).
  int resolve_relative(u32 object, u32 flags, ProgType type, Relative* rel) const;

  // bpf_mprog_attach/detach plus the tcx caller: on success the list is replaced, the
  // revision bumped, and the entry created or released as tcx does.
  int hook_attach(const Slot& incoming, u32 flags, u32 object, u32 expected_revision,
                  u32* replaced_prog);
  int hook_detach(u32 prog, u32 link, u32 flags, u32 object, u32 expected_revision);
  void release_link(u32 link_id);
  void commit();

  SpecObjects<Link> objects_;  // programs, links, fds

  bool entry_ = false;        // a bundle exists (and is the published one)
  std::vector<Slot> slots_;   // empty whenever !entry_
  u32 revision_ = 0;          // atomic_t in v2: 32 bits, read back as a signed int
  u32 initial_revision_ = 1;  // what a newly created bundle starts with
  u32 miniq_holds_ = 0;
  // tcx takes both keys on every successful attach (an in-place replace and a link
  // update included) and drops both on every successful detach: finding F1 (the leak)
  // at its exact size, and F2's detach without an attach.
  StaticKeys keys_;

  std::vector<std::string> warnings_;
  std::vector<std::string> none_;
};

}  // namespace mprogsim::v2
