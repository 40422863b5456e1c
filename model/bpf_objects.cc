// SPDX-License-Identifier: GPL-2.0
#include "model/bpf_objects.h"

#include <cstdio>

#include "model/mutants.h"

namespace mprogsim {
namespace {

thread_local BpfObjects* g_objects = nullptr;

BpfObjects& objects() {
  if (g_objects == nullptr) {
    std::fprintf(stderr, "internal bug: a kernel function ran with no BpfObjects set\n");
    std::abort();
  }
  return *g_objects;
}

}  // namespace

BpfObjects* current_objects() { return g_objects; }
void set_current_objects(BpfObjects* objects) { g_objects = objects; }

// ---- kernel functions ------------------------------------------------------------

bpf_prog* bpf_prog_get(u32 ufd, SourceLoc loc) {
  int err = 0;
  bpf_prog* prog = objects().prog_from_fd(ufd, &err);
  if (!prog) return ERR_PTR(err);
  bpf_prog_inc(prog, loc);
  return prog;
}

bpf_prog* bpf_prog_get_type(u32 ufd, bpf_prog_type type, SourceLoc loc) {
  bpf_prog* prog = bpf_prog_get(ufd, loc);
  if (IS_ERR(prog)) return prog;
  if (prog->type != type) {
    bpf_prog_put(prog, loc);
    return ERR_PTR(-EINVAL);
  }
  return prog;
}

bpf_prog* bpf_prog_by_id(u32 id, SourceLoc loc) {
  if (!id) return ERR_PTR(-ENOENT);
  bpf_prog* prog = objects().prog_from_id(id);
  if (!prog) return ERR_PTR(-ENOENT);
  // bpf_prog_inc_not_zero: the idr forgets a program when its count hits zero.
  bpf_prog_inc(prog, loc);
  return prog;
}

void bpf_prog_inc(bpf_prog* prog, SourceLoc loc) { objects().prog_inc(prog, loc); }
void bpf_prog_put(bpf_prog* prog, SourceLoc loc) { objects().prog_put(prog, loc); }

bpf_link* bpf_link_get_from_fd(u32 ufd, SourceLoc loc) {
  int err = 0;
  bpf_link* link = objects().link_from_fd(ufd, &err);
  if (!link) return ERR_PTR(err);
  bpf_link_inc(link, loc);
  return link;
}

bpf_link* bpf_link_by_id(u32 id, SourceLoc loc) {
  if (!id) return ERR_PTR(-ENOENT);
  bpf_link* link = objects().link_from_id(id);
  if (!link) return ERR_PTR(-ENOENT);
  // Primed but not settled: the kernel answers -EAGAIN.
  if (!link->id) return ERR_PTR(-EAGAIN);
  bpf_link_inc(link, loc);
  return link;
}

void bpf_link_inc(bpf_link* link, SourceLoc loc) { objects().link_inc(link, loc); }
void bpf_link_put(bpf_link* link, SourceLoc loc) { objects().link_put(link, loc); }

// ---- BpfObjects ------------------------------------------------------------------

BpfObjects::BpfObjects() : fds_(3, FdSlot{FdKind::kOther, nullptr}) {
  // The simulator builds one BpfObjects per execution, for a handful of objects:
  // room for them up front, not a reallocation at each doubling.
  fds_.reserve(16);
  progs_.reserve(8);
  links_.reserve(8);
  link_destroy_.reserve(8);
}

BpfObjects::~BpfObjects() {
  for (std::size_t i = 0; i < links_.size(); i++) link_destroy_[i](links_[i]);
}

void BpfObjects::fd_set(u32 fd, FdSlot slot) {
  auto counted = [](const FdSlot& s) { return s.kind == FdKind::kProg || s.kind == FdKind::kLink; };
  FdSlot& old = fds_[fd];
  if (counted(old) && --fd_refs_[old.object] == 0) fd_refs_.erase(old.object);
  if (counted(slot)) fd_refs_[slot.object]++;
  if (fd >= 3) {
    if (slot.kind == FdKind::kClosed) {
      free_fds_.insert(fd);
    } else {
      free_fds_.erase(fd);
    }
  }
  old = slot;
}

int BpfObjects::fd_alloc(FdKind kind, void* object) {
  u32 fd = static_cast<u32>(fds_.size());
  if (free_fds_.empty()) {
    fds_.push_back({});
  } else {
    fd = *free_fds_.begin();
  }
  fd_set(fd, {kind, object});
  return static_cast<int>(fd);
}

int BpfObjects::prog_load(bpf_prog_type type) {
  auto prog = std::make_unique<bpf_prog>();
  prog->type = type;
  prog->aux = &prog->aux_storage;
  prog->model_id = prog_next_id_++;
  prog->aux->id = prog->model_id;
  prog->aux->refcnt = 1;  // the fd's reference
  refs_taken_++;
  kernel_hooks()->alloc(prog.get(), sizeof(bpf_prog), "bpf_prog");
  prog_idr_[prog->model_id] = prog.get();
  const int fd = fd_alloc(FdKind::kProg, prog.get());
  progs_.push_back(std::move(prog));
  return fd;
}

int BpfObjects::close_fd(u32 fd) {
  if (fd >= fds_.size()) return -EBADF;
  FdSlot slot = fds_[fd];
  switch (slot.kind) {
    case FdKind::kProg:
      fd_set(fd, {});
      prog_put(static_cast<bpf_prog*>(slot.object));
      return 0;
    case FdKind::kLink:
      fd_set(fd, {});
      link_put(static_cast<bpf_link*>(slot.object));
      return 0;
    case FdKind::kOther:
      fd_set(fd, {});
      return 0;
    case FdKind::kClosed:
    case FdKind::kReserved:
      return -EBADF;
  }
  return -EBADF;
}

void BpfObjects::link_adopt(bpf_link* link, void (*destroy)(bpf_link*)) {
  links_.push_back(link);
  link_destroy_.push_back(destroy);
  link->model_id = link_next_id_;  // becomes its id in link_prime()
  link_by_model_id_.emplace(link->model_id, link);
  refs_taken_++;  // the reference bpf_link_init() gives the new link
}

int BpfObjects::link_prime(bpf_link* link, LinkPrimer* primer) {
  primer->fd = fd_alloc(FdKind::kReserved, link);
  primer->id = link_next_id_++;  // idr_alloc_cyclic: consumed even if the attach fails
  link_idr_[primer->id] = link;
  primer->link = link;
  // The first link adopted with this id keeps answering link_info for it, as the
  // scan over links_ in adoption order did.
  link->model_id = primer->id;
  link_by_model_id_.emplace(link->model_id, link);
  kernel_hooks()->alloc(link, sizeof(bpf_link), "bpf_link");
  return 0;
}

int BpfObjects::link_settle(LinkPrimer* primer) {
  fd_set(static_cast<u32>(primer->fd), {FdKind::kLink, primer->link});
  primer->link->id = primer->id;
  return primer->fd;
}

void BpfObjects::link_cleanup(LinkPrimer* primer) {
  // bpf_link_cleanup: forget the prog, free the id and the fd; the file's put
  // then frees the link without calling release.
  primer->link->prog = nullptr;
  link_idr_.erase(primer->id);
  fd_set(static_cast<u32>(primer->fd), {});
  link_put(primer->link);
}

bpf_prog* BpfObjects::prog_from_fd(u32 fd, int* err) const {
  if (fd >= fds_.size() || fds_[fd].kind == FdKind::kClosed || fds_[fd].kind == FdKind::kReserved) {
    *err = -EBADF;
    return nullptr;
  }
  if (fds_[fd].kind != FdKind::kProg) {
    *err = -EINVAL;
    return nullptr;
  }
  return static_cast<bpf_prog*>(fds_[fd].object);
}

bpf_link* BpfObjects::link_from_fd(u32 fd, int* err) const {
  if (fd >= fds_.size() || fds_[fd].kind == FdKind::kClosed || fds_[fd].kind == FdKind::kReserved) {
    *err = -EBADF;
    return nullptr;
  }
  if (fds_[fd].kind != FdKind::kLink) {
    *err = -EINVAL;
    return nullptr;
  }
  return static_cast<bpf_link*>(fds_[fd].object);
}

bpf_prog* BpfObjects::prog_from_id(u32 id) const {
  auto it = prog_idr_.find(id);
  return it == prog_idr_.end() ? nullptr : it->second;
}

bpf_link* BpfObjects::link_from_id(u32 id) const {
  auto it = link_idr_.find(id);
  return it == link_idr_.end() ? nullptr : it->second;
}

void BpfObjects::prog_inc(bpf_prog* prog, SourceLoc loc) {
  kernel_hooks()->access(MemAccess::kRefInc, prog, loc);
  prog->aux->refcnt++;
  refs_taken_++;
}

void BpfObjects::prog_put(bpf_prog* prog, SourceLoc loc) {
  kernel_hooks()->access(MemAccess::kRefDec, prog, loc);
  refs_dropped_++;
  if (--prog->aux->refcnt != 0) return;
  // __bpf_prog_put: forget the id now, free the memory after a grace period.
  prog_idr_.erase(prog->aux->id);
  prog->aux->id = 0;
  if (mutant_active(Mutant::kProgPutFreesNow)) {
    kernel_hooks()->kfree(
        prog, [prog] { prog->model_freed = true; }, loc);
    return;
  }
  // The callback's kfree happens at the caller's line too: the put that queued it.
  kernel_hooks()->call_rcu(
      prog,
      [prog, loc] {
        kernel_hooks()->kfree(
            prog, [prog] { prog->model_freed = true; }, loc);
      },
      loc);
}

void BpfObjects::link_inc(bpf_link* link, SourceLoc loc) {
  kernel_hooks()->access(MemAccess::kRefInc, link, loc);
  link->refcnt++;
  refs_taken_++;
}

void BpfObjects::link_put(bpf_link* link, SourceLoc loc) {
  kernel_hooks()->access(MemAccess::kRefDec, link, loc);
  refs_dropped_++;
  if (--link->refcnt != 0) return;
  // bpf_link_free: id first, then detach and drop the program, then dealloc.
  link_idr_.erase(link->model_id);
  if (link->prog) {
    link->ops->release(link);
    bpf_prog_put(link->prog, loc);
  }
  link->ops->dealloc(link);
  kernel_hooks()->kfree(
      link, [link] { link->model_freed = true; }, loc);
}

ObjectInfo BpfObjects::prog_info(u32 id) const {
  if (id == 0 || id > progs_.size()) return {};
  const bpf_prog& prog = *progs_[id - 1];
  return {true, prog.model_freed, static_cast<u64>(prog.aux->refcnt)};
}

ObjectInfo BpfObjects::link_info(u32 id) const {
  const auto it = link_by_model_id_.find(id);
  if (it == link_by_model_id_.end()) return {};
  const bpf_link* link = it->second;
  return {true, link->model_freed, static_cast<u64>(link->refcnt)};
}

int BpfObjects::prog_id_of_fd(u32 fd) const {
  int err = 0;
  const bpf_prog* prog = prog_from_fd(fd, &err);
  return prog ? static_cast<int>(prog->model_id) : err;
}

int BpfObjects::link_id_of_fd(u32 fd) const {
  int err = 0;
  const bpf_link* link = link_from_fd(fd, &err);
  return link ? static_cast<int>(link->model_id) : err;
}

u32 BpfObjects::fd_refs(const void* object) const {
  const auto it = fd_refs_.find(object);
  return it == fd_refs_.end() ? 0 : it->second;
}

u32 BpfObjects::live_progs() const {
  u32 n = 0;
  for (const auto& prog : progs_) n += prog->model_freed ? 0 : 1;
  return n;
}

u32 BpfObjects::live_links() const {
  u32 n = 0;
  for (const bpf_link* link : links_) n += link->model_freed ? 0 : 1;
  return n;
}

}  // namespace mprogsim
