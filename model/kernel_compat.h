// SPDX-License-Identifier: GPL-2.0
// The little piece of the kernel the mirror files need: ERR_PTR, atomic_t,
// WARN_ON_ONCE, and the shared-memory accessors (READ_ONCE, WRITE_ONCE, plain slot
// copies and clears, rcu_assign_pointer / rcu_dereference, synchronize_rcu,
// call_rcu). Every access the datapath could observe goes through KernelHooks, so
// the simulator (sim/) can put a scheduling point at each one without touching the
// mirror code. With no simulator attached the hooks are sequential: accesses are
// plain, grace periods are instant and deferred callbacks run when the syscall ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <source_location>
#include <string>
#include <string_view>

#include "model/mprog_api.h"
#include "model/uapi.h"

namespace mprogsim {

// What kind of access a hook sees. Paired with the simulator's scheduling points.
enum class MemAccess : u8 {
  kReadOnce,    // READ_ONCE of a pointer the datapath reads (fp_items[i].prog)
  kWriteOnce,   // WRITE_ONCE of the same
  kPlainRead,   // a slot read by a plain copy (memcpy) on the control path
  kPlainWrite,  // a slot written by a plain copy or clear (memcpy / memset)
  kRcuAssign,   // rcu_assign_pointer of the published entry
  kRcuDeref,    // rcu_dereference of the published entry
  kProgRun,     // the datapath touching a program object (bpf_prog_run)
  kRefInc,      // a reference count taken
  kRefDec,      // a reference count dropped
};

// Where the model called a hook: the file, function and line of the call in the
// mirror (or the harness). Every hook and every accessor below takes one, defaulted
// to its caller's location, so the mirror code stays as the kernel spells it and each
// event still knows its line (`replay --explain`). A std::source_location is one
// pointer to static data: passing it costs a register, nothing is built per access.
using SourceLoc = std::source_location;

// The simulator's view of the model. Every method may switch simulated threads.
class KernelHooks {
 public:
  virtual ~KernelHooks() = default;
  // One access to `addr`, which lies inside an allocation announced by alloc().
  virtual void access(MemAccess kind, const void* addr, SourceLoc loc = SourceLoc::current()) = 0;
  // An object came to life (kzalloc, bpf_prog_alloc, link allocation).
  virtual void alloc(const void* object, std::size_t size, const char* what,
                     SourceLoc loc = SourceLoc::current()) = 0;
  // kfree: the object is dead from now on. `destroy` releases the C++ object; the
  // simulator may delay it (quarantine) so that a late access is reported, not UB.
  virtual void kfree(const void* object, std::function<void()> destroy,
                     SourceLoc loc = SourceLoc::current()) = 0;
  virtual void rcu_read_lock(SourceLoc loc = SourceLoc::current()) = 0;
  virtual void rcu_read_unlock(SourceLoc loc = SourceLoc::current()) = 0;
  virtual void synchronize_rcu(SourceLoc loc = SourceLoc::current()) = 0;
  // Runs `callback` after a grace period (call_rcu / kfree_rcu). `head` is the
  // object whose rcu_head the kernel passes, which is the object the callback
  // frees: the simulator keeps every access to it a scheduling point from then on.
  virtual void call_rcu(const void* head, std::function<void()> callback,
                        SourceLoc loc = SourceLoc::current()) = 0;
  // A WARN_ON_ONCE fired: a kernel-warn event.
  virtual void warn(const std::string& what) = 0;
  // The kernel would access memory outside one of its fixed arrays here (an index or
  // a walk past the end): a property violation. The model does not make the access.
  virtual void out_of_bounds(const std::string& what) = 0;

  // Memory whose plain and ONCE accesses the hooks need not see one at a time (the
  // simulator's peer rewrites, which no other thread can observe: 64 slot writes per
  // memset; and its reads of entries only it writes): such an access only adds one
  // to *count, inline in the accessor, without a call to access(). [lo[i], hi[i])
  // holds reads and writes, [read_lo, read_hi) reads only. Empty ranges (lo == hi,
  // the default) hold nothing.
  struct QuietRanges {
    std::uintptr_t lo[2] = {0, 0};
    std::uintptr_t hi[2] = {0, 0};
    std::uintptr_t read_lo = 0;
    std::uintptr_t read_hi = 0;
    std::uint64_t* count = nullptr;
    bool contains(const void* addr, bool write) const {
      const auto at = reinterpret_cast<std::uintptr_t>(addr);
      return at - lo[0] < hi[0] - lo[0] || at - lo[1] < hi[1] - lo[1] ||
             (!write && at - read_lo < read_hi - read_lo);
    }
  };
  QuietRanges quiet;
};

// A source location as a message shows it: "model/v2/bpf_mprog.cc:123
// bpf_mprog_attach" (the path from the source root, whatever the build's paths; the
// bare function name); "" for a default-constructed one.
std::string source_text(const SourceLoc& loc);
// The path from the source root: "model/v2/bpf_mprog.h" from "/src/model/v2/...".
std::string_view source_path(std::string_view file);

// The hooks in force; set by whoever drives the model (System, or the simulator).
// One OS thread drives one model at a time, so a thread_local is enough. Inline:
// every access the model makes asks for them.
namespace detail {
extern thread_local constinit KernelHooks* g_hooks;
KernelHooks* default_kernel_hooks();
}  // namespace detail
inline KernelHooks* kernel_hooks() {
  KernelHooks* hooks = detail::g_hooks;
  return hooks ? hooks : detail::default_kernel_hooks();
}
void set_kernel_hooks(KernelHooks* hooks);

// A plain or ONCE access (the accessors below), unless the hooks find it quiet.
inline void plain_or_once_access(MemAccess kind, const void* addr, SourceLoc loc) {
  KernelHooks* hooks = kernel_hooks();
  const bool write = kind == MemAccess::kWriteOnce || kind == MemAccess::kPlainWrite;
  if (hooks->quiet.contains(addr, write)) {
    ++*hooks->quiet.count;
    return;
  }
  hooks->access(kind, addr, loc);
}

// ---- the kernel idioms, in the kernel's spelling ---------------------------------
// clang-format off

struct err_ptr_t {
  std::intptr_t value;
  template <typename T> operator T*() const { return reinterpret_cast<T*>(value); }
};
inline err_ptr_t ERR_PTR(long error) { return {static_cast<std::intptr_t>(error)}; }
inline bool IS_ERR(const void* ptr) {
  return reinterpret_cast<std::uintptr_t>(ptr) >= static_cast<std::uintptr_t>(-4095);
}
inline long PTR_ERR(const void* ptr) {
  return static_cast<long>(reinterpret_cast<std::intptr_t>(ptr));
}

// atomic_t: a 32-bit int that wraps like the kernel's (two's complement, no UB).
struct atomic_t { int counter; };
inline int atomic_read(const atomic_t* v) { return v->counter; }
inline void atomic_set(atomic_t* v, int i) { v->counter = i; }
inline void atomic_inc(atomic_t* v) {
  v->counter = static_cast<int>(static_cast<u32>(v->counter) + 1U);
}

#define WARN_ON_ONCE(cond) ::mprogsim::warn_on_once(!!(cond), #cond, __FILE__, __LINE__)
bool warn_on_once(bool cond, const char* text, const char* file, int line);

template <typename T>
inline T READ_ONCE(const T& x, SourceLoc loc = SourceLoc::current()) {
  plain_or_once_access(MemAccess::kReadOnce, &x, loc);
  return *static_cast<const volatile T*>(&x);
}
template <typename T, typename V>
inline void WRITE_ONCE(T& x, V value, SourceLoc loc = SourceLoc::current()) {
  plain_or_once_access(MemAccess::kWriteOnce, &x, loc);
  *static_cast<volatile T*>(&x) = value;
}
// One slot of a memcpy / memset: plain, not atomic; the datapath must not see it.
template <typename T>
inline T plain_read(const T& x, SourceLoc loc = SourceLoc::current()) {
  plain_or_once_access(MemAccess::kPlainRead, &x, loc);
  return x;
}
template <typename T, typename V>
inline void plain_write(T& x, V value, SourceLoc loc = SourceLoc::current()) {
  plain_or_once_access(MemAccess::kPlainWrite, &x, loc);
  x = value;
}
template <typename T, typename V>
inline void rcu_assign_pointer(T*& p, V* value, SourceLoc loc = SourceLoc::current()) {
  kernel_hooks()->access(MemAccess::kRcuAssign, &p, loc);
  *static_cast<T* volatile*>(&p) = value;
}
template <typename T>
inline T* rcu_dereference(T* const& p, SourceLoc loc = SourceLoc::current()) {
  kernel_hooks()->access(MemAccess::kRcuDeref, &p, loc);
  return *static_cast<T* const volatile*>(&p);
}
// model: the kernel indexes its fixed slot arrays without a check and walks them up
// to the first NULL slot. Outside the array it would read or write memory that is not
// the array's. The model reports that (KernelHooks::out_of_bounds, a property
// violation with its trace) and hands out a zeroed scratch element instead, so that a
// broken variant runs on to the report instead of crashing the process. `what` names
// the array in the report; nullptr for a second array indexed by the same, already
// reported, position.
std::string model_index_text(u64 index);

template <typename T, std::size_t N>
T *model_slot(T (&array)[N], u64 index, const char *what)
{
	if (index < N)
		return &array[index];
	if (what)
		kernel_hooks()->out_of_bounds(std::string(what) + "[" + model_index_text(index) +
					      "] of a " + std::to_string(N) + "-slot array");
	thread_local T scratch;
	scratch = T{};
	return &scratch;
}

// The element a walk (`fp++` until NULL) has reached; at the end of the array (no NULL
// slot in it) reported and served by a zeroed scratch element, which ends the walk.
template <typename T, std::size_t N, typename P>
P *model_walk(T (&array)[N], P *at, const char *what)
{
	if (at >= array && at < array + N)
		return at;
	if (what)
		kernel_hooks()->out_of_bounds(std::string(what) + ": a walk past the " +
					      std::to_string(N) + "-slot array (no NULL slot in it)");
	thread_local T scratch;
	scratch = T{};
	return &scratch;
}

// How many of `num` slots from `idx` lie inside an array of `n`; a range reaching past
// it is reported (a memcpy/memmove the kernel would make past the array).
u32 model_span(u64 idx, u64 num, u64 n, const char *what);

inline void synchronize_rcu(SourceLoc loc = SourceLoc::current()) { kernel_hooks()->synchronize_rcu(loc); }
inline void rcu_read_lock(SourceLoc loc = SourceLoc::current()) { kernel_hooks()->rcu_read_lock(loc); }
inline void rcu_read_unlock(SourceLoc loc = SourceLoc::current()) { kernel_hooks()->rcu_read_unlock(loc); }

// clang-format on
}  // namespace mprogsim
