// SPDX-License-Identifier: GPL-2.0
// The userspace object model around mprog: BPF programs and links with their ids,
// file descriptors and reference counts, and the kernel's lookup functions
// (bpf_prog_get, bpf_prog_get_type, bpf_prog_by_id, bpf_link_get_from_fd,
// bpf_link_by_id) with the kernel's errors. Ids come from counters as the kernel's
// cyclic idr gives them; fds are allocated lowest-free from 3 in one table shared by
// programs and links (0, 1, 2 are open files that are not BPF objects).
//
// Objects are never deallocated while the BpfObjects lives: a program whose last
// reference goes is marked freed from a call_rcu callback, as the kernel frees it, and
// stays readable so that the simulator can report a late access instead of crashing.
// Every reference taken and dropped is counted, so a test can assert balance.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

#include "model/kernel_compat.h"

namespace mprogsim {

// clang-format off
// Kernel spelling for the kernel's types.
using bpf_prog_type = ProgType;
inline constexpr bpf_prog_type BPF_PROG_TYPE_UNSPEC = ProgType::kUnspec;
inline constexpr bpf_prog_type BPF_PROG_TYPE_SCHED_CLS = ProgType::kSchedCls;

struct bpf_prog_aux {
  u32 id;      // 0 once bpf_prog_free_id() ran
  s64 refcnt;  // atomic64_t in the kernel
};

struct bpf_prog {
  bpf_prog_type type;
  bpf_prog_aux *aux;
  // model: bookkeeping the kernel keeps elsewhere or not at all.
  bpf_prog_aux aux_storage;
  u32 model_id;      // the id it was given, kept after the idr forgets it
  bool model_freed;  // the RCU callback freeing it has run
};

struct bpf_link;
struct bpf_link_ops {
  void (*release)(bpf_link *link);
  int (*detach)(bpf_link *link);
  void (*dealloc)(bpf_link *link);
  int (*update_prog)(bpf_link *link, bpf_prog *new_prog, bpf_prog *old_prog);
};

struct bpf_link {
  s64 refcnt;
  u32 id;  // 0 until bpf_link_settle(), as in the kernel
  bpf_prog *prog;
  const bpf_link_ops *ops;
  // model:
  u32 model_id;
  bool model_freed;
};

// The kernel's lookups, on the objects of the thread's current BpfObjects. `loc`:
// the caller's line, for the reference count events it causes (kernel_compat.h).
bpf_prog *bpf_prog_get(u32 ufd, SourceLoc loc = SourceLoc::current());
bpf_prog *bpf_prog_get_type(u32 ufd, bpf_prog_type type, SourceLoc loc = SourceLoc::current());
bpf_prog *bpf_prog_by_id(u32 id, SourceLoc loc = SourceLoc::current());
void bpf_prog_inc(bpf_prog *prog, SourceLoc loc = SourceLoc::current());
void bpf_prog_put(bpf_prog *prog, SourceLoc loc = SourceLoc::current());
bpf_link *bpf_link_get_from_fd(u32 ufd, SourceLoc loc = SourceLoc::current());
bpf_link *bpf_link_by_id(u32 id, SourceLoc loc = SourceLoc::current());
void bpf_link_inc(bpf_link *link, SourceLoc loc = SourceLoc::current());
void bpf_link_put(bpf_link *link, SourceLoc loc = SourceLoc::current());
// clang-format on

// What one fd refers to.
enum class FdKind : u8 { kClosed, kOther, kProg, kLink, kReserved };

struct LinkPrimer {
  bpf_link* link = nullptr;
  int fd = -1;
  u32 id = 0;
};

class BpfObjects {
 public:
  BpfObjects();
  ~BpfObjects();
  BpfObjects(const BpfObjects&) = delete;
  BpfObjects& operator=(const BpfObjects&) = delete;

  // BPF_PROG_LOAD: a new program with one reference, held by its new fd.
  int prog_load(bpf_prog_type type);
  // close(2) of a program or link fd; -EBADF if it is not open.
  int close_fd(u32 fd);

  // Links: the caller allocates (tcx_link) and hands the object over; the table
  // owns it from then on. bpf_link_init/prime/settle/cleanup mirror the kernel's.
  void link_adopt(bpf_link* link, void (*destroy)(bpf_link*));
  int link_prime(bpf_link* link, LinkPrimer* primer);
  int link_settle(LinkPrimer* primer);
  void link_cleanup(LinkPrimer* primer);

  // Lookups used by the kernel functions above.
  bpf_prog* prog_from_fd(u32 fd, int* err) const;
  bpf_link* link_from_fd(u32 fd, int* err) const;
  bpf_prog* prog_from_id(u32 id) const;
  bpf_link* link_from_id(u32 id) const;

  void prog_inc(bpf_prog* prog, SourceLoc loc = SourceLoc::current());
  void prog_put(bpf_prog* prog, SourceLoc loc = SourceLoc::current());
  void link_inc(bpf_link* link, SourceLoc loc = SourceLoc::current());
  void link_put(bpf_link* link, SourceLoc loc = SourceLoc::current());

  ObjectInfo prog_info(u32 id) const;
  ObjectInfo link_info(u32 id) const;
  int prog_id_of_fd(u32 fd) const;
  int link_id_of_fd(u32 fd) const;

  // Every reference taken and dropped since creation, for balance assertions.
  u64 refs_taken() const { return refs_taken_; }
  u64 refs_dropped() const { return refs_dropped_; }
  // Introspection for the simulator's quiescence checks.
  u32 prog_count() const { return static_cast<u32>(progs_.size()); }
  const bpf_prog* prog_at(u32 index) const { return progs_[index].get(); }
  u32 link_count() const { return static_cast<u32>(links_.size()); }
  const bpf_link* link_at(u32 index) const { return links_[index]; }
  // How many open fds refer to `object`.
  u32 fd_refs(const void* object) const;

  // Programs and links not yet freed.
  u32 live_progs() const;
  u32 live_links() const;

 private:
  struct FdSlot {
    FdKind kind = FdKind::kClosed;
    void* object = nullptr;
  };
  int fd_alloc(FdKind kind, void* object);
  // Every change of an fd slot goes through here, so that the free set and the
  // per-object counts stay exact.
  void fd_set(u32 fd, FdSlot slot);

  std::vector<FdSlot> fds_;
  // Per-step costs are O(log n), whatever the number of objects: the closed slots
  // from 3 on (the lowest is the next fd), the open fds per object, links by id.
  std::set<u32> free_fds_;
  std::unordered_map<const void*, u32> fd_refs_;
  std::unordered_map<u32, const bpf_link*> link_by_model_id_;
  std::vector<std::unique_ptr<bpf_prog>> progs_;  // index = id - 1
  std::vector<bpf_link*> links_;                  // index = id - 1
  std::vector<void (*)(bpf_link*)> link_destroy_;
  std::map<u32, bpf_prog*> prog_idr_;
  std::map<u32, bpf_link*> link_idr_;
  u32 prog_next_id_ = 1;
  u32 link_next_id_ = 1;
  u64 refs_taken_ = 0;
  u64 refs_dropped_ = 0;
};

// The object table the kernel functions of this thread work on.
BpfObjects* current_objects();
void set_current_objects(BpfObjects* objects);

}  // namespace mprogsim
