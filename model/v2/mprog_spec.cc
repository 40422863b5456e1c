// SPDX-License-Identifier: GPL-2.0
// The v2 hook as rules on an ordered list. Each rule lists its checks in the order the
// seed's code makes them, because that order decides which errno a caller sees.
#include "model/v2/mprog_spec.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "model/uapi.h"
#include "model/v2/uapi.h"

namespace mprogsim::v2 {
namespace {

using Slot = MprogSpec::Slot;
using Relative = MprogSpec::Relative;
using List = std::vector<Slot>;

// bpf_mprog_max(): 64 array slots, one of which always stays NULL as the terminator.
constexpr std::size_t kSlotsMax = 63;
constexpr u32 kFirstLast = BPF_F_FIRST | BPF_F_LAST;
constexpr u32 kBeforeAfter = BPF_F_BEFORE | BPF_F_AFTER;
// syscall.c accepts this one query flag for every attach type (tcx then rejects it).
constexpr u32 kQueryEffective = 1U << 0;

// Does `rel` name this slot? A program relative matches whatever holds the program; a
// link relative needs the slot's link too. Also true for an absent relative against
// an absent slot (prog 0), which the FIRST/LAST rule relies on.
bool names(const Relative& rel, const Slot& slot) {
  return slot.prog_id == rel.prog_id && (rel.link_id == 0 || rel.link_id == slot.link_id);
}

// The index of the slot `rel` names, or -1; program ids are unique in the list.
int find_slot(const List& list, const Relative& rel) {
  const auto it =
      std::find_if(list.begin(), list.end(), [&](const Slot& slot) { return names(rel, slot); });
  return it == list.end() ? -1 : static_cast<int>(it - list.begin());
}

bool contains(const List& list, u32 prog_id) { return find_slot(list, {prog_id}) >= 0; }

// The first slot not marked FIRST (it may be marked LAST).
u32 first_regular(const List& list) {
  for (const Slot& slot : list) {
    if (!(slot.flags & BPF_F_FIRST)) return slot.prog_id;
  }
  return 0;
}

// The slot just before the first one marked LAST, or the last slot; a FIRST slot counts.
u32 last_regular(const List& list) {
  u32 prog_id = 0;
  for (const Slot& slot : list) {
    if (slot.flags & BPF_F_LAST) break;
    prog_id = slot.prog_id;
  }
  return prog_id;
}

// BPF_F_REPLACE: the slot holding rel's program takes the new one, in place. FIRST and
// LAST follow the request (so leaving them out strips them), but may only be set on
// the slot that already is first / last.
int replace_rule(List& list, const Slot& incoming, const Relative& rel, u32 flags,
                 u32* replaced_prog) {
  if (flags & (kBeforeAfter | BPF_F_LINK)) return -EINVAL;
  if (rel.prog_id != incoming.prog_id && contains(list, incoming.prog_id)) return -EEXIST;
  const int idx = find_slot(list, {rel.prog_id});  // by program only; none: not found
  if (idx < 0) return -ENOENT;
  Slot& slot = list[idx];
  if (slot.link_id != incoming.link_id) return -EBUSY;  // links and progs never replace each other
  u32 kept = slot.flags;
  if ((kept ^ flags) & BPF_F_FIRST) {
    kept ^= BPF_F_FIRST;
    if ((kept & BPF_F_FIRST) && idx != 0) return -EACCES;
  }
  if ((kept ^ flags) & BPF_F_LAST) {
    kept ^= BPF_F_LAST;
    if ((kept & BPF_F_LAST) && idx + 1 != static_cast<int>(list.size())) return -EACCES;
  }
  *replaced_prog = slot.prog_id;
  slot = {incoming.prog_id, incoming.link_id, kept};
  return 0;
}

// BPF_F_FIRST / BPF_F_LAST (without REPLACE): take the head or the tail, which must be
// free. BEFORE/AFTER here only assert what the neighbour is; a mismatch is EBUSY.
int first_last_rule(List& list, const Slot& incoming, const Relative& rel, u32 flags) {
  if (contains(list, incoming.prog_id)) return -EEXIST;
  if (flags & BPF_F_FIRST) {
    if (flags & BPF_F_AFTER) return -EINVAL;
    const Slot head = list.empty() ? Slot{} : list.front();
    if (head.flags & BPF_F_FIRST) return -EBUSY;
    if (flags & BPF_F_LAST) {
      if (flags & BPF_F_BEFORE) return -EINVAL;
      if (!list.empty()) return -EBUSY;
      list.push_back({incoming.prog_id, incoming.link_id, kFirstLast});
      return 0;
    }
    // With no relative this only passes on an empty list (nothing == nothing).
    if ((flags & BPF_F_BEFORE) && !names(rel, head)) return -EBUSY;
    if (list.size() >= kSlotsMax) return -ENOSPC;
    list.insert(list.begin(), {incoming.prog_id, incoming.link_id, BPF_F_FIRST});
    return 0;
  }
  if (flags & BPF_F_BEFORE) return -EINVAL;
  if (list.empty()) {
    if (flags & BPF_F_AFTER) return -EBUSY;  // even with no relative (unlike FIRST|BEFORE)
  } else {
    if (list.back().flags & BPF_F_LAST) return -EBUSY;
    if ((flags & BPF_F_AFTER) && !names(rel, list.back())) return -EBUSY;
    if (list.size() >= kSlotsMax) return -ENOSPC;
  }
  list.push_back({incoming.prog_id, incoming.link_id, BPF_F_LAST});
  return 0;
}

// Plain attach: next to the relative, or appended (but in front of a LAST slot).
// BEFORE/AFTER without a relative stand for the first/last regular slot.
int insert_rule(List& list, const Slot& incoming, Relative rel, u32 flags) {
  if (list.size() >= kSlotsMax) return -ENOSPC;
  if ((flags & kBeforeAfter) == kBeforeAfter) return -EINVAL;
  if (contains(list, incoming.prog_id)) return -EEXIST;
  if (rel.prog_id == 0) {
    if (flags & BPF_F_BEFORE) rel.prog_id = first_regular(list);
    if (flags & BPF_F_AFTER) rel.prog_id = last_regular(list);
  }
  const Slot fresh{incoming.prog_id, incoming.link_id, 0};
  if (const int idx = find_slot(list, rel); idx >= 0) {
    if (flags & BPF_F_BEFORE) {
      if (list[idx].flags & BPF_F_FIRST) return -EBUSY;
      list.insert(list.begin() + idx, fresh);
    } else {
      if (list[idx].flags & BPF_F_LAST) return -EBUSY;
      list.insert(list.begin() + idx + 1, fresh);
    }
    return 0;
  }
  // A relative that is not in the list still walks to the tail first, so a FIRST|LAST
  // sole slot makes it EBUSY rather than ENOENT.
  const bool tail_is_last = !list.empty() && (list.back().flags & BPF_F_LAST);
  if (tail_is_last && (list.back().flags & BPF_F_FIRST)) return -EBUSY;
  if (rel.prog_id) return -ENOENT;
  list.insert(tail_is_last ? list.end() - 1 : list.end(), fresh);
  return 0;
}

// Detach: pick the victim (the given program, and/or the one a position names), then
// remove it. FIRST/LAST name the first/last slot, whatever its flags. `removed` is the
// slot taken out; it stays empty when the list was already empty, which the code lets
// pass as success (the "now empty" test runs even when nothing matched).
int detach_rule(List& list, u32 prog, u32 link, const Relative& rel, u32 flags, Slot* removed) {
  if (flags & BPF_F_REPLACE) return -EINVAL;
  u32 victim = prog;
  if (flags & BPF_F_FIRST) {
    const u32 head = list.empty() ? 0 : list.front().prog_id;
    if (victim && victim != head) return -ENOENT;
    victim = head;
  }
  if (flags & BPF_F_LAST) {
    const u32 tail = list.empty() ? 0 : list.back().prog_id;
    if (victim && victim != tail) return -ENOENT;
    victim = tail;
  }
  if ((flags & kBeforeAfter) && rel.prog_id == 0) {
    if (victim) return -EINVAL;
    if (flags & BPF_F_BEFORE) victim = first_regular(list);
    if (flags & BPF_F_AFTER) victim = last_regular(list);
  }
  bool found = false;
  if (const int idx = find_slot(list, rel); idx >= 0) {
    found = true;
    u32 neighbour = 0;
    if (flags & BPF_F_BEFORE) {
      if (idx == 0) return -ENOENT;
      neighbour = list[idx - 1].prog_id;
    } else if (idx + 1 < static_cast<int>(list.size())) {
      neighbour = list[idx + 1].prog_id;
    }
    if (victim && victim != neighbour) return -ENOENT;
    victim = neighbour;
  }
  if (!victim || (rel.prog_id && !found)) return -ENOENT;
  *removed = {};
  if (list.empty()) return 0;
  const int idx = find_slot(list, {victim});
  if (idx < 0) return -ENOENT;
  if (list[idx].link_id != link) return -EBUSY;
  *removed = list[idx];
  list.erase(list.begin() + idx);
  return 0;
}

// bpf_mprog_revision() widens the int atomic to u64 by sign extension while the u32
// expected_revision is zero-extended: from 2^31 on, no nonzero expectation matches.
bool stale(u32 expected, u32 revision) {
  const u64 current = static_cast<u64>(static_cast<s64>(static_cast<s32>(revision)));
  return expected != 0 && expected != current;
}

}  // namespace

int MprogSpec::resolve_relative(u32 object, u32 flags, ProgType type, Relative* rel) const {
  *rel = {};
  if (!(flags & (BPF_F_REPLACE | kBeforeAfter))) {
    return object || (flags & (BPF_F_ID | BPF_F_LINK)) ? -EINVAL : 0;
  }
  if (flags & BPF_F_LINK) {
    const int link =
        (flags & BPF_F_ID) ? objects_.link_by_id(object) : objects_.by_fd(FdKind::kLink, object);
    if (link < 0) return link;
    const u32 prog = objects_.link(link).prog_id;
    if (type != ProgType::kUnspec && objects_.prog(prog).type != type) return -EINVAL;
    *rel = {prog, static_cast<u32>(link)};
    return 0;
  }
  const int prog =
      (flags & BPF_F_ID) ? objects_.prog_by_id(object) : objects_.by_fd(FdKind::kProg, object);
  if (prog < 0) return (object == 0 && !(flags & BPF_F_ID)) ? 0 : prog;  // fd 0: no relative
  if (type != ProgType::kUnspec && objects_.prog(prog).type != type) return -EINVAL;
  rel->prog_id = static_cast<u32>(prog);
  return 0;
}

void MprogSpec::commit() {
  do {
    ++revision_;
  } while (revision_ == 0);
}

int MprogSpec::hook_attach(const Slot& incoming, u32 flags, u32 object, u32 expected_revision,
                           u32* replaced_prog) {
  // With no entry tcx creates a bundle to try on; a failed attach frees it again.
  const u32 revision = entry_ ? revision_ : initial_revision_;
  if (stale(expected_revision, revision)) return -ESTALE;
  Relative rel;
  const ProgType type = objects_.prog(incoming.prog_id).type;
  if (const int err = resolve_relative(object, flags, type, &rel)) return err;
  List list = slots_;
  *replaced_prog = 0;
  int err;
  if (flags & BPF_F_REPLACE) {
    err = replace_rule(list, incoming, rel, flags, replaced_prog);
  } else if (flags & kFirstLast) {
    err = first_last_rule(list, incoming, rel, flags);
  } else {
    err = insert_rule(list, incoming, rel, flags);
  }
  if (err) return err;
  entry_ = true;
  revision_ = revision;
  slots_ = std::move(list);
  commit();
  keys_.tcx_needed_key++;
  keys_.ingress_queue++;
  return 0;
}

int MprogSpec::hook_detach(u32 prog, u32 link, u32 flags, u32 object, u32 expected_revision) {
  if (!entry_) return -ENOENT;
  if (stale(expected_revision, revision_)) return -ESTALE;
  Relative rel;
  const ProgType type = prog ? objects_.prog(prog).type : ProgType::kUnspec;
  if (const int err = resolve_relative(object, flags, type, &rel)) return err;
  List list = slots_;
  Slot removed;
  if (const int err = detach_rule(list, prog, link, rel, flags, &removed)) return err;
  slots_ = std::move(list);
  commit();
  keys_.tcx_needed_key--;
  keys_.ingress_queue--;
  // A prog-API slot held the attach reference; commit drops it after the grace period.
  if (removed.prog_id && !removed.link_id) objects_.put_prog(removed.prog_id);
  if (slots_.empty() && miniq_holds_ == 0) entry_ = false;
  return 0;
}

int MprogSpec::prog_attach(const ProgAttachAttr& attr) {
  if (attr.attach_flags & ~BPF_F_ATTACH_MASK_MPROG) return -EINVAL;
  const int prog = objects_.by_fd(FdKind::kProg, attr.attach_bpf_fd);
  if (prog < 0) return prog;
  if (objects_.prog(prog).type != ProgType::kSchedCls) return -EINVAL;
  u32 replaced = 0;
  const int err = hook_attach({static_cast<u32>(prog), 0, 0}, attr.attach_flags, attr.relative_fd,
                              static_cast<u32>(attr.expected_revision), &replaced);
  if (err) return err;
  ++objects_.prog(prog).refcnt;               // the entry keeps the syscall's reference...
  if (replaced) objects_.put_prog(replaced);  // ...and the replaced slot's is dropped
  return 0;
}

int MprogSpec::prog_detach(const ProgAttachAttr& attr) {
  if (attr.attach_flags & ~BPF_F_ATTACH_MASK_MPROG) return -EINVAL;
  int prog = objects_.by_fd(FdKind::kProg, attr.attach_bpf_fd);
  if (prog >= 0 && objects_.prog(prog).type != ProgType::kSchedCls) prog = -EINVAL;
  if (prog < 0) {
    if (static_cast<s32>(attr.attach_bpf_fd) > 0) return prog;
    prog = 0;  // fd 0 (or negative as an int): detach without naming a program
  }
  return hook_detach(static_cast<u32>(prog), 0, attr.attach_flags, attr.relative_fd,
                     static_cast<u32>(attr.expected_revision));
}

int MprogSpec::link_create(const LinkCreateAttr& attr) {
  const int prog = objects_.by_fd(FdKind::kProg, attr.prog_fd);
  if (prog < 0) return prog;
  if (objects_.prog(prog).type != ProgType::kSchedCls) return -EINVAL;
  const u32 id = objects_.reserve_link(Link{{static_cast<u32>(prog)}, attr.flags & kFirstLast});
  u32 replaced = 0;
  const int err = hook_attach({static_cast<u32>(prog), id, 0}, attr.flags, attr.relative_fd,
                              static_cast<u32>(attr.expected_revision), &replaced);
  objects_.settle_link();
  if (err) return err;
  return static_cast<int>(objects_.publish_link(id));
}

int MprogSpec::link_update(const LinkUpdateAttr& attr) {
  if (attr.flags & ~BPF_F_REPLACE) return -EINVAL;
  const int link_id = objects_.by_fd(FdKind::kLink, attr.link_fd);
  if (link_id < 0) return link_id;
  const int new_prog = objects_.by_fd(FdKind::kProg, attr.new_prog_fd);
  if (new_prog < 0) return new_prog;
  int old_prog = 0;
  if (attr.flags & BPF_F_REPLACE) {
    old_prog = objects_.by_fd(FdKind::kProg, attr.old_prog_fd);
    if (old_prog < 0) return old_prog;
  } else if (attr.old_prog_fd) {
    return -EINVAL;
  }
  Link& link = objects_.link(link_id);
  if (!link.attached) return -ENOLINK;
  if (old_prog && static_cast<u32>(old_prog) != link.prog_id) return -EPERM;
  if (static_cast<u32>(new_prog) == link.prog_id) return 0;  // no commit, no revision bump
  if (!entry_) return -ENOENT;
  // The relative is the link's own program by id; its type is checked against the new
  // one's, which is the only type check on this path (and none for an UNSPEC program).
  u32 replaced = 0;
  const int err = hook_attach({static_cast<u32>(new_prog), static_cast<u32>(link_id), 0},
                              BPF_F_REPLACE | BPF_F_ID | link.flags, link.prog_id, 0, &replaced);
  if (err) return err;
  ++objects_.prog(new_prog).refcnt;
  objects_.put_prog(link.prog_id);
  link.prog_id = static_cast<u32>(new_prog);
  return 0;
}

void MprogSpec::release_link(u32 link_id) {
  Link& link = objects_.link(link_id);
  if (!link.attached) return;
  // The link's FIRST/LAST become detach flags; object and revision are 0.
  const int err = hook_detach(link.prog_id, link_id, link.flags, 0, 0);
  if (err) {
    // WARN_ON_ONCE; tcx leaves the link marked attached.
    if (warnings_.empty())
      warnings_.push_back("tcx_link_release: detach failed: " + errno_name(err));
    return;
  }
  link.attached = false;
}

int MprogSpec::link_detach(u32 link_fd) {
  const int link_id = objects_.by_fd(FdKind::kLink, link_fd);
  if (link_id < 0) return link_id;
  release_link(static_cast<u32>(link_id));
  return 0;
}

int MprogSpec::close_fd(u32 fd) {
  return objects_.close_fd(fd, [this](u32 link_id) { release_link(link_id); });
}

QueryResult MprogSpec::prog_query(const QueryAttr& attr) {
  QueryResult result;
  // bpf_prog_query() rejects unknown query flags before tcx looks for an entry.
  if (attr.query_flags & ~kQueryEffective) {
    result.ret = -EINVAL;
  } else if (!entry_) {
    result.ret = -ENOENT;
  } else if (attr.query_flags || attr.attach_flags) {
    result.ret = -EINVAL;
  }
  if (result.ret) return result;
  result.written = true;
  result.attach_flags = 0;
  result.revision = revision_;  // copied out as a u32, so it reads back right
  result.count = static_cast<u32>(slots_.size());
  if (attr.count == 0 || slots_.empty()) return result;
  if (attr.count < slots_.size()) result.ret = -ENOSPC;
  const std::size_t filled = std::min<std::size_t>(attr.count, slots_.size());
  for (std::size_t i = 0; i < filled; ++i) {
    const Slot& slot = slots_[i];
    result.prog_ids.push_back(slot.prog_id);
    result.link_ids.push_back(slot.link_id);
    // v2 writes each slot's flags only into the array of its kind; the other array's
    // element keeps what the caller had there (finding F4).
    result.prog_attach_flags.push_back(slot.link_id ? kQueryUnwritten : slot.flags);
    result.link_attach_flags.push_back(slot.link_id ? slot.flags : kQueryUnwritten);
  }
  return result;
}

void MprogSpec::run_into(std::vector<u32>& ran) {
  ran.clear();
  for (const Slot& slot : slots_) ran.push_back(slot.prog_id);
}

void MprogSpec::miniq_inc() {
  if (!entry_) {
    entry_ = true;  // published as it is: empty, no commit
    revision_ = initial_revision_;
  }
  ++miniq_holds_;
}

void MprogSpec::miniq_dec() {
  if (miniq_holds_ > 0) --miniq_holds_;  // a drop without a hold has no kernel meaning
  if (entry_ && miniq_holds_ == 0 && slots_.empty()) entry_ = false;
}

void MprogSpec::set_initial_revision(u64 revision) {
  initial_revision_ = static_cast<u32>(revision);
}

}  // namespace mprogsim::v2
