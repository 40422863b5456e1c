// SPDX-License-Identifier: GPL-2.0
// The upstream hook as rules on an ordered list. Each rule lists its checks in the order
// the merged code makes them, because that order decides which errno a caller sees.
//
// How upstream places a program, in words. A request may name up to three things: the
// program it replaces (REPLACE), the object it must sit in front of (BEFORE) and the
// object it must sit behind (AFTER); every one of them must describe the same place, or
// the request is ERANGE. Without a relative object, BEFORE means "at the front" and
// AFTER "at the back". A request that names no place at all is a plain append, and may
// then carry no relative object and no flags. A detach names its victim the same way:
// the program itself, the one in front of / behind a relative object, or, with nothing
// named, the last one.
#include "model/upstream/mprog_spec.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>

#include "model/uapi.h"
#include "model/upstream/uapi.h"

namespace mprogsim::upstream {
namespace {

using Slot = MprogSpec::Slot;
using Relative = MprogSpec::Relative;
using List = std::vector<Slot>;

// 64 array slots upstream, one of which always stays NULL as the terminator.
constexpr int kSlotsMax = 63;

// The slot holding `prog_id` (programs are unique in the list), or -1.
int slot_of(const List& list, u32 prog_id) {
  for (std::size_t i = 0; i < list.size(); i++) {
    if (list[i].prog_id == prog_id) return static_cast<int>(i);
  }
  return -1;
}

// The slot `rel` names: the one holding its program and, for a link relative, owned by
// that link. -1 if there is none.
int slot_named_by(const List& list, const Relative& rel) {
  const int i = slot_of(list, rel.prog_id);
  if (i < 0) return -1;
  if (rel.link_id != 0 && list[static_cast<std::size_t>(i)].link_id != rel.link_id) return -1;
  return i;
}

}  // namespace

int MprogSpec::resolve_relative(u32 id_or_fd, u32 flags, ProgType type, Relative* rel) const {
  *rel = {};
  const bool by_id = flags & BPF_F_ID;
  if (flags & BPF_F_LINK) {
    // A link: by id, or by a non-zero fd; fd 0 names no link at all.
    const int link = by_id      ? objects_.link_by_id(id_or_fd)
                     : id_or_fd ? objects_.by_fd(FdKind::kLink, id_or_fd)
                                : -EINVAL;
    if (link < 0) return link;
    const u32 prog = objects_.link(static_cast<u32>(link)).prog_id;
    if (type != ProgType::kUnspec && objects_.prog(prog).type != type) return -EINVAL;
    *rel = {prog, static_cast<u32>(link)};
    return 0;
  }
  if (!by_id && id_or_fd == 0) return 0;  // no relative: BEFORE/AFTER mean front/back
  const int prog = by_id ? objects_.prog_by_id(id_or_fd) : objects_.by_fd(FdKind::kProg, id_or_fd);
  if (prog < 0) return prog;
  if (type != ProgType::kUnspec && objects_.prog(static_cast<u32>(prog)).type != type)
    return -EINVAL;
  rel->prog_id = static_cast<u32>(prog);
  return 0;
}

int MprogSpec::hook_attach(const AttachRequest& request, u32* replaced_prog) {
  // With no entry tcx creates a bundle to try on; a failed attach frees it again.
  const u64 revision = entry_ ? revision_ : initial_revision_;
  const List& list = slots_;
  const int n = static_cast<int>(list.size());
  const u32 flags = request.flags;
  *replaced_prog = 0;

  if (request.expected_revision != 0 && request.expected_revision != revision) return -ESTALE;
  if (slot_of(list, request.incoming.prog_id) >= 0) return -EEXIST;
  Relative rel;
  const ProgType type = objects_.prog(request.incoming.prog_id).type;
  // REPLACE does not take part in finding the relative object.
  if (const int err = resolve_relative(request.relative, flags & ~BPF_F_REPLACE, type, &rel)) {
    return err;
  }
  const bool rel_given = rel.prog_id != 0;
  const int r = rel_given ? slot_named_by(list, rel) : -1;

  std::optional<int> replaced;  // the slot REPLACE names
  if (flags & BPF_F_REPLACE) {
    const int s = slot_of(list, request.replace_prog_id);
    if (s < 0) return -ENOENT;
    // Links and the prog API never take over each other's slots.
    if (list[static_cast<std::size_t>(s)].link_id != request.incoming.link_id) return -EBUSY;
    replaced = s;
  } else if (n == kSlotsMax) {
    return -ERANGE;  // nothing left to insert into
  }
  if (flags & BPF_F_BEFORE) {
    if (rel_given && r < 0) return -ENOENT;
    // The replaced slot must be right in front of the relative (with none: in front of
    // the first slot, which no slot is).
    if (replaced && !(rel_given && r == *replaced + 1)) return -ERANGE;
  }
  if (flags & BPF_F_AFTER) {
    if (rel_given && r < 0) return -ENOENT;
    // In front of and behind the same object (or the front and the back) is never one
    // place.
    if (flags & BPF_F_BEFORE) return -ERANGE;
    if (replaced && !(rel_given && r == *replaced - 1)) return -ERANGE;
  }
  if (!(flags & (BPF_F_REPLACE | BPF_F_BEFORE | BPF_F_AFTER)) && (rel_given || flags)) {
    return -EINVAL;  // a relative object or a flag that places nothing
  }
  // (The kernel also refuses a place at or beyond slot 63; with fewer than 63 programs
  // on an insert, and an existing slot on a replace, no rule can name one.)

  List next = list;
  if (replaced) {
    Slot& slot = next[static_cast<std::size_t>(*replaced)];
    *replaced_prog = slot.prog_id;
    slot = request.incoming;
  } else {
    int at = n;  // a plain append
    if (flags & BPF_F_BEFORE) at = rel_given ? r : 0;
    if (flags & BPF_F_AFTER) at = rel_given ? r + 1 : n;
    next.insert(next.begin() + at, request.incoming);
  }
  entry_ = true;
  revision_ = revision + 1;
  slots_ = std::move(next);
  return 0;
}

int MprogSpec::hook_detach(u32 prog, u32 link, u32 flags, u32 relative, u64 expected_revision) {
  if (!entry_) return -ENOENT;
  if (flags & BPF_F_REPLACE) return -EINVAL;
  if (expected_revision != 0 && expected_revision != revision_) return -ESTALE;
  // Only a qdisc-held entry can be empty; there is nothing to detach from it.
  if (slots_.empty()) return -ENOENT;
  Relative rel;
  const ProgType type = prog ? objects_.prog(prog).type : ProgType::kUnspec;
  if (const int err = resolve_relative(relative, flags, type, &rel)) return err;
  const int n = static_cast<int>(slots_.size());
  const bool rel_given = rel.prog_id != 0;
  const int r = rel_given ? slot_named_by(slots_, rel) : -1;

  // The victim's place: a slot, or -1 / n for "in front of the first" / "behind the
  // last", which stand for the first / last slot.
  std::optional<int> place;
  if (prog) {
    const int s = slot_of(slots_, prog);
    if (s < 0) return -ENOENT;
    if (slots_[static_cast<std::size_t>(s)].link_id != link) return -EBUSY;
    place = s;
  }
  if (flags & BPF_F_BEFORE) {
    if (rel_given && r < 0) return -ENOENT;
    const int in_front = rel_given ? r - 1 : -1;
    if (place && *place != in_front) return -ERANGE;
    place = in_front;
  }
  if (flags & BPF_F_AFTER) {
    if (rel_given && r < 0) return -ENOENT;
    const int behind = rel_given ? r + 1 : n;
    if (place && *place != behind) return -ERANGE;
    place = behind;
  }
  if (!place) {
    if (rel_given || flags) return -EINVAL;
    place = n;  // nothing named: the last program
  }
  // Even as a stand-in for the last slot, place 63 is out of range: on a full list the
  // back can only be detached by naming the program.
  if (*place >= kSlotsMax) return -ERANGE;
  const int victim = std::clamp(*place, 0, n - 1);
  const Slot removed = slots_[static_cast<std::size_t>(victim)];
  // A link's slot can only go with its link.
  if (removed.link_id != 0 && link == 0) return -EBUSY;

  slots_.erase(slots_.begin() + victim);
  ++revision_;
  // A prog-API slot held the attach reference; commit drops it after the grace period.
  if (!removed.link_id) objects_.put_prog(removed.prog_id);
  if (slots_.empty() && miniq_holds_ == 0) entry_ = false;
  return 0;
}

int MprogSpec::prog_attach(const ProgAttachAttr& attr) {
  if (attr.attach_flags & ~BPF_F_ATTACH_MASK_MPROG) return -EINVAL;
  const int prog = objects_.by_fd(FdKind::kProg, attr.attach_bpf_fd);
  if (prog < 0) return prog;
  const ProgType type = objects_.prog(static_cast<u32>(prog)).type;
  if (type != ProgType::kSchedCls) return -EINVAL;
  u32 replace = 0;
  if (attr.attach_flags & BPF_F_REPLACE) {
    // The program to replace comes in its own fd, and must be of the same type.
    const int old = objects_.by_fd(FdKind::kProg, attr.replace_bpf_fd);
    if (old < 0) return old;
    if (objects_.prog(static_cast<u32>(old)).type != type) return -EINVAL;
    replace = static_cast<u32>(old);
  }
  u32 replaced = 0;
  const int err = hook_attach({{static_cast<u32>(prog), 0},
                               attr.attach_flags,
                               attr.relative_fd,
                               replace,
                               attr.expected_revision},
                              &replaced);
  if (err) return err;
  ++objects_.prog(static_cast<u32>(prog)).refcnt;  // the entry keeps the syscall's reference...
  if (replaced) objects_.put_prog(replaced);       // ...and the replaced slot's goes at once
  return 0;
}

int MprogSpec::prog_detach(const ProgAttachAttr& attr) {
  if (attr.attach_flags & ~BPF_F_ATTACH_MASK_MPROG) return -EINVAL;
  u32 prog = 0;  // fd 0: detach without naming a program
  if (attr.attach_bpf_fd != 0) {
    const int found = objects_.by_fd(FdKind::kProg, attr.attach_bpf_fd);
    if (found < 0) return found;
    if (objects_.prog(static_cast<u32>(found)).type != ProgType::kSchedCls) return -EINVAL;
    prog = static_cast<u32>(found);
  }
  return hook_detach(prog, 0, attr.attach_flags, attr.relative_fd, attr.expected_revision);
}

int MprogSpec::link_create(const LinkCreateAttr& attr) {
  const int prog = objects_.by_fd(FdKind::kProg, attr.prog_fd);
  if (prog < 0) return prog;
  if (objects_.prog(static_cast<u32>(prog)).type != ProgType::kSchedCls) return -EINVAL;
  const u32 id = objects_.reserve_link(Link{static_cast<u32>(prog)});
  u32 replaced = 0;
  // The flags go to mprog as given; a link has nothing to replace (REPLACE names no
  // program, so it is never found).
  const int err = hook_attach(
      {{static_cast<u32>(prog), id}, attr.flags, attr.relative_fd, 0, attr.expected_revision},
      &replaced);
  objects_.settle_link();
  if (err) return err;
  return static_cast<int>(objects_.publish_link(id));
}

int MprogSpec::link_update(const LinkUpdateAttr& attr) {
  if (attr.flags & ~BPF_F_REPLACE) return -EINVAL;
  const int link_id = objects_.by_fd(FdKind::kLink, attr.link_fd);
  if (link_id < 0) return link_id;
  const int new_prog = objects_.by_fd(FdKind::kProg, attr.new_prog_fd);  // any program type
  if (new_prog < 0) return new_prog;
  int old_prog = 0;
  if (attr.flags & BPF_F_REPLACE) {
    old_prog = objects_.by_fd(FdKind::kProg, attr.old_prog_fd);
    if (old_prog < 0) return old_prog;
  } else if (attr.old_prog_fd) {
    return -EINVAL;
  }
  Link& link = objects_.link(static_cast<u32>(link_id));
  if (!link.attached) return -ENOLINK;
  if (old_prog && static_cast<u32>(old_prog) != link.prog_id) return -EPERM;
  if (static_cast<u32>(new_prog) == link.prog_id) return 0;  // no commit, no revision bump
  if (!entry_) return -ENOENT;
  // The link's own slot, found by the id of its current program, takes the new one. The
  // lookup by id checks the current program's type against the new one's: the only type
  // check on this path.
  u32 replaced = 0;
  const int err = hook_attach({{static_cast<u32>(new_prog), static_cast<u32>(link_id)},
                               BPF_F_REPLACE | BPF_F_ID,
                               link.prog_id,
                               link.prog_id,
                               0},
                              &replaced);
  if (err) return err;
  ++objects_.prog(static_cast<u32>(new_prog)).refcnt;
  objects_.put_prog(link.prog_id);
  link.prog_id = static_cast<u32>(new_prog);
  return 0;
}

void MprogSpec::release_link(u32 link_id) {
  Link& link = objects_.link(link_id);
  if (!link.attached) return;
  const int err = hook_detach(link.prog_id, link_id, 0, 0, 0);
  if (err) {
    // WARN_ON_ONCE; tcx leaves the link attached.
    if (warnings_.empty()) {
      warnings_.push_back("tcx_link_release: detach failed: " + errno_name(err));
    }
    return;
  }
  link.attached = false;
}

int MprogSpec::link_detach(u32 link_fd) {
  const int link_id = objects_.by_fd(FdKind::kLink, link_fd);
  if (link_id < 0) return link_id;
  release_link(static_cast<u32>(link_id));
  return 0;  // detaching a detached link is a no-op
}

int MprogSpec::close_fd(u32 fd) {
  return objects_.close_fd(fd, [this](u32 link_id) { release_link(link_id); });
}

QueryResult MprogSpec::prog_query(const QueryAttr& attr) {
  QueryResult result;
  // The syscall lets BPF_F_QUERY_EFFECTIVE through; mprog then refuses any flag at all.
  if (attr.query_flags || attr.attach_flags) {
    result.ret = -EINVAL;
    return result;
  }
  // A hook without an entry answers like an empty one, with revision 1: what a fresh
  // bundle would start with in the kernel, so it can go into expected_revision.
  result.written = true;
  result.attach_flags = 0;
  result.revision = entry_ ? revision_ : 1;
  result.count = static_cast<u32>(slots_.size());
  if (attr.count == 0 || slots_.empty()) return result;
  if (attr.count < slots_.size()) result.ret = -ENOSPC;
  const std::size_t filled = std::min<std::size_t>(attr.count, slots_.size());
  for (std::size_t i = 0; i < filled; ++i) {
    result.prog_ids.push_back(slots_[i].prog_id);
    result.link_ids.push_back(slots_[i].link_id);
    result.prog_attach_flags.push_back(0);
    result.link_attach_flags.push_back(0);
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

void MprogSpec::set_initial_revision(u64 revision) { initial_revision_ = revision; }

}  // namespace mprogsim::upstream
