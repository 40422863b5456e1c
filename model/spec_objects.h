// SPDX-License-Identifier: GPL-2.0
// The object table of the abstract specs (model/<variant>/mprog_spec.*): programs and
// links by id with their references, and the process's fd table. This is the syscall
// layer's bookkeeping, which every kernel version here answers alike (bpf_prog_get,
// bpf_link_get_from_fd, the idr lookups, the lowest free fd, close). What a version does
// with the objects, its hook's rules, stays in its own spec, written independently of
// the other spec and of the mirror.
//
// Shared by the specs only: the mirrors keep their objects in model/bpf_objects.*, so a
// bug here still has to be made a second time, differently, to go unnoticed.
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include "model/mprog_api.h"
#include "model/uapi.h"

namespace mprogsim {

struct SpecProg {
  ProgType type = ProgType::kUnspec;
  u64 refcnt = 1;  // fd + attachments + links; 0 means freed (and gone from the idr)
};

// What every spec keeps of a link; a spec whose links carry more derives from it.
struct SpecLink {
  u32 prog_id = 0;  // the link's reference on it lasts until the link is freed
  bool attached = false;
  bool freed = false;  // its only fd was closed, or link_create failed
};

enum class SpecFdKind { kOther, kProg, kLink };

template <typename Link = SpecLink>
class SpecObjects {
 public:
  using FdKind = SpecFdKind;

  // 0, 1, 2 are open files that are no BPF objects.
  SpecObjects() {
    for (u32 fd = 0; fd < 3; ++fd) fds_[fd] = Fd{};
  }

  // Lookups as the kernel's getters answer them: the object's id, or a negative errno.
  // bpf_prog_get / bpf_link_get_from_fd: EBADF for no file, EINVAL for another kind.
  [[nodiscard]] int by_fd(FdKind kind, u32 fd) const {
    const auto it = fds_.find(fd);
    if (it == fds_.end()) return -EBADF;
    return it->second.kind == kind ? static_cast<int>(it->second.id) : -EINVAL;
  }
  [[nodiscard]] int prog_by_id(u32 id) const {
    const auto it = progs_.find(id);
    if (it == progs_.end() || it->second.refcnt == 0) return -ENOENT;
    return static_cast<int>(id);
  }
  [[nodiscard]] int link_by_id(u32 id) const {
    if (id == 0) return -ENOENT;
    if (id == link_settling_) return -EAGAIN;  // in the idr, but its id is not published yet
    const auto it = links_.find(id);
    if (it == links_.end() || it->second.freed) return -ENOENT;
    return static_cast<int>(id);
  }

  // The objects of ids a lookup returned (std::out_of_range for any other id).
  [[nodiscard]] SpecProg& prog(u32 id) { return progs_.at(id); }
  [[nodiscard]] const SpecProg& prog(u32 id) const { return progs_.at(id); }
  [[nodiscard]] Link& link(u32 id) { return links_.at(id); }
  [[nodiscard]] const Link& link(u32 id) const { return links_.at(id); }

  // BPF_PROG_LOAD: a new program holding its fd's reference. Returns the fd.
  [[nodiscard]] u32 load_prog(ProgType type) {
    const u32 id = next_prog_id_++;
    progs_[id] = SpecProg{type, 1};
    return alloc_fd(FdKind::kProg, id);
  }

  // link_create, before its attach is tried: the id is taken now (a failed create still
  // consumes it), the link counts as freed until publish_link, and by-id lookups of it
  // say EAGAIN until settle_link.
  [[nodiscard]] u32 reserve_link(Link link) {
    const u32 id = next_link_id_++;
    link.attached = false;
    link.freed = true;
    links_[id] = std::move(link);
    link_settling_ = id;
    return id;
  }
  void settle_link() { link_settling_ = 0; }
  // The attach succeeded: the link is attached, holds a reference on its program and
  // gets its fd, which is returned.
  [[nodiscard]] u32 publish_link(u32 id) {
    Link& created = links_.at(id);
    created.attached = true;
    created.freed = false;
    ++progs_.at(created.prog_id).refcnt;
    return alloc_fd(FdKind::kLink, id);
  }

  // Drops one reference; the last one frees the program.
  void put_prog(u32 id) {
    SpecProg& prog = progs_.at(id);
    if (prog.refcnt == 0) throw std::logic_error("internal bug: mprog_spec put of a freed program");
    --prog.refcnt;
  }

  // close(fd). 0, 1, 2 close like any file: later lookups say EBADF (fds still start at
  // 3). The last fd of a link calls `release(link_id)` first (the spec detaches the link
  // if it is still attached), then frees the link and puts its program.
  template <typename Release>
  [[nodiscard]] int close_fd(u32 fd, Release&& release) {
    const auto it = fds_.find(fd);
    if (it == fds_.end()) return -EBADF;
    const Fd closed = it->second;
    fds_.erase(it);
    if (fd >= 3) free_fds_.insert(fd);
    if (closed.kind == FdKind::kOther) return 0;
    if (closed.kind == FdKind::kProg) {
      put_prog(closed.id);
      return 0;
    }
    std::forward<Release>(release)(closed.id);
    Link& link = links_.at(closed.id);
    link.freed = true;
    put_prog(link.prog_id);
    return 0;
  }

  [[nodiscard]] ObjectInfo prog_info(u32 id) const {
    const auto it = progs_.find(id);
    if (it == progs_.end()) return {};
    return {true, it->second.refcnt == 0, it->second.refcnt};
  }
  [[nodiscard]] ObjectInfo link_info(u32 id) const {
    const auto it = links_.find(id);
    if (it == links_.end()) return {};
    // The link's fd holds its only lasting reference.
    return {true, it->second.freed, it->second.freed ? 0U : 1U};
  }

 private:
  struct Fd {
    FdKind kind = FdKind::kOther;
    u32 id = 0;
  };

  // The lowest free fd.
  u32 alloc_fd(FdKind kind, u32 id) {
    u32 fd = fd_top_;
    if (free_fds_.empty()) {
      ++fd_top_;
    } else {
      fd = *free_fds_.begin();
      free_fds_.erase(free_fds_.begin());
    }
    fds_[fd] = Fd{kind, id};
    return fd;
  }

  std::map<u32, SpecProg> progs_;  // by id
  std::map<u32, Link> links_;      // by id, including links whose create failed
  std::map<u32, Fd> fds_;
  // The lowest free fd in O(log n): every fd in [3, fd_top_) is open (in fds_) or in
  // free_fds_; a scan from 3 made a long scenario quadratic.
  std::set<u32> free_fds_;
  u32 fd_top_ = 3;
  u32 next_prog_id_ = 1;
  u32 next_link_id_ = 1;
  u32 link_settling_ = 0;  // id of the link being created: by-id lookups say EAGAIN
};

}  // namespace mprogsim
