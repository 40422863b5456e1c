// SPDX-License-Identifier: GPL-2.0
// The syscall-level contract of one attach point (one tcx hook), shared by the
// faithful model (model/v2/system.h) and the abstract spec (model/v2/mprog_spec.h).
//
// Everything here is in the kernel's own terms: file descriptors and ids are u32
// numbers, flags are the uapi bits of the semantics in use, results are 0 or a
// negative errno (Linux values). Names ("P1", "L2") live only in the harness
// (tools/replay, properties/), which translates them to numbers, so that the model
// and the spec can be compared result for result without sharing any code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mprogsim {

using u8 = std::uint8_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using s32 = std::int32_t;
using s64 = std::int64_t;

// Program types the harness can load. Only kSchedCls (tcx) may attach to tcx.
enum class ProgType : u32 { kUnspec = 0, kSchedCls = 3, kXdp = 6 };

// BPF_PROG_ATTACH / BPF_PROG_DETACH arguments (the fields tcx reads).
struct ProgAttachAttr {
  u32 attach_bpf_fd = 0;      // the program; for detach 0 (or <= 0 as int) means "none"
  u32 attach_flags = 0;       // BPF_F_* of the semantics in use
  u32 relative_fd = 0;        // relative_fd / relative_id, or replace_bpf_fd in v2
  u32 replace_bpf_fd = 0;     // upstream only: the program BPF_F_REPLACE replaces
  u64 expected_revision = 0;  // 0: no check. v2 truncates to u32 (its uapi field is u32)
};

// BPF_LINK_CREATE arguments.
struct LinkCreateAttr {
  u32 prog_fd = 0;
  u32 flags = 0;
  u32 relative_fd = 0;
  u64 expected_revision = 0;
};

// BPF_LINK_UPDATE arguments. old_prog_fd is used only with BPF_F_REPLACE in flags.
struct LinkUpdateAttr {
  u32 link_fd = 0;
  u32 new_prog_fd = 0;
  u32 old_prog_fd = 0;
  u32 flags = 0;
};

// BPF_PROG_QUERY: `count` slots are offered for each of the four arrays (the harness
// always passes all four arrays when count > 0, and none when count == 0).
struct QueryAttr {
  u32 query_flags = 0;
  u32 attach_flags = 0;
  u32 count = 0;
};

// The harness never allocates what the user's count says (4294967295 would be 64 GB
// for the four arrays): it passes that count to the kernel code but allocates at most
// this many slots per array. The kernel copies out at most the attached programs, at
// most BPF_MPROG_MAX (64) in both variants (each system.cc asserts it), so a larger
// count only means "large enough".
inline constexpr u32 kMaxQueryBuffer = 1024;

struct QueryResult {
  int ret = 0;
  u32 attach_flags = 0;  // written back by the kernel (always 0 for mprog)
  u32 count = 0;         // written back: the number of attached programs
  u64 revision = 0;      // written back; v2 writes a u32
  bool written = false;  // false when the call failed before writing anything
  // The first min(count offered, attached) slots of the user arrays, as the kernel
  // left them; the harness filled them with kQueryUnwritten before the call.
  std::vector<u32> prog_ids;
  std::vector<u32> link_ids;  // 0 where the slot holds no link
  std::vector<u32> prog_attach_flags;
  std::vector<u32> link_attach_flags;
};

// What the harness fills the user's query arrays with before the call. An element
// that still holds it afterwards was never written by the kernel: the caller would
// read its own stale memory there. No id or flag set the kernel writes has this value.
inline constexpr u32 kQueryUnwritten = 0xa5a5a5a5;

// The static keys the attach point's users move, as counts: tcx_needed_key
// (tcx_inc/dec) and ingress_queue (net_inc/dec_ingress_queue).
struct StaticKeys {
  s64 tcx_needed_key = 0;
  s64 ingress_queue = 0;
  bool operator==(const StaticKeys&) const = default;
};

// Per-object reference counts as the harness can observe them.
struct ObjectInfo {
  bool exists = false;  // created at all (by id)
  bool freed = false;   // the memory was released (after the grace period)
  u64 refcnt = 0;       // 0 once the last reference is gone
};

// One attach point with its own process: an fd table, the prog and link idrs and
// one tcx hook. Every call runs to completion; in this sequential view every grace
// period has elapsed and every deferred free has run when a call returns.
class MprogApi {
 public:
  virtual ~MprogApi() = default;

  // BPF_PROG_LOAD: returns the new fd (lowest free from 3) or -errno.
  [[nodiscard]] virtual int prog_load(ProgType type) = 0;
  // bpf_prog_get_info_by_fd(...).id, or -errno if fd names no program.
  [[nodiscard]] virtual int prog_id(u32 fd) const = 0;
  // bpf_link_get_info_by_fd(...).id, or -errno if fd names no link.
  [[nodiscard]] virtual int link_id(u32 fd) const = 0;

  [[nodiscard]] virtual int prog_attach(const ProgAttachAttr& attr) = 0;
  [[nodiscard]] virtual int prog_detach(const ProgAttachAttr& attr) = 0;
  // Returns the link's fd or -errno.
  [[nodiscard]] virtual int link_create(const LinkCreateAttr& attr) = 0;
  [[nodiscard]] virtual int link_update(const LinkUpdateAttr& attr) = 0;
  [[nodiscard]] virtual int link_detach(u32 link_fd) = 0;
  // close(2) of a program or link fd: returns 0 or -EBADF.
  [[nodiscard]] virtual int close_fd(u32 fd) = 0;
  [[nodiscard]] virtual QueryResult prog_query(const QueryAttr& attr) = 0;

  // One datapath pass over the published entry: the ids of the programs it ran.
  [[nodiscard]] std::vector<u32> run() {
    std::vector<u32> ran;
    run_into(ran);
    return ran;
  }
  // The same into `ran` (emptied first), whose capacity a caller that runs millions
  // of passes (the simulator's readers) keeps.
  virtual void run_into(std::vector<u32>& ran) = 0;

  // The clsact/ingress qdisc taking / dropping its hold on the hook's entry.
  virtual void miniq_inc() = 0;
  virtual void miniq_dec() = 0;
  [[nodiscard]] virtual u32 miniq_holds() const = 0;

  [[nodiscard]] virtual ObjectInfo prog_info(u32 id) const = 0;
  [[nodiscard]] virtual ObjectInfo link_info(u32 id) const = 0;
  // The static key counts the hook moved so far.
  [[nodiscard]] virtual StaticKeys static_keys() const = 0;

  // Test knob: the revision a newly created bundle starts with, stored as the
  // kernel's type stores it (v2: atomic_t, so truncated to 32 bits).
  virtual void set_initial_revision(u64 revision) = 0;

  // Kernel warnings (WARN_ON_ONCE) hit so far, in order; empty in a correct run.
  [[nodiscard]] virtual const std::vector<std::string>& warnings() const = 0;
  // Accesses the kernel would make outside its fixed arrays (model/kernel_compat.h,
  // model_slot), in order; the model did not make them. Empty in a correct run.
  [[nodiscard]] virtual const std::vector<std::string>& out_of_bounds() const = 0;
};

}  // namespace mprogsim
