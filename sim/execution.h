// SPDX-License-Identifier: GPL-2.0
// One simulated execution of a workload: the control path and the readers run as
// stackful fibers (Boost.Context) on one OS thread, so the model's code stays plain
// C++. The execution is the model's KernelHooks: every access, RCU call and free
// the model makes stops its fiber at a scheduling point, and the strategy picks who
// goes next. RCU is simulated (sim/rcu.h), memory is shadowed (sim/shadow_memory.h),
// and the properties are checked as the execution goes:
//
//   use-after-free  any access to, or free of, memory already freed
//   snapshot        each reader pass saw exactly the list of one committed state
//                   that was current at some moment of that pass
//   spec            each control step's result equals the spec's
//   revision        a committed change moves the revision by exactly one, a failed
//                   step leaves it alone, and it is never 0
//   kernel-warn     a WARN_ON_ONCE fired
//   out-of-bounds   the kernel would index or walk past one of its fixed arrays
//   static-keys     at quiescence the static key counts equal the spec's
//   refs / leak     at quiescence (all threads done, all callbacks run) every
//                   program's and link's count equals its owners, nothing without
//                   an owner is alive, and references taken equal references dropped
//   deadlock        no thread can run, yet some have not finished
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/strategy.h"
#include "sim/workload.h"

namespace mprogsim::sim {

struct Violation {
  std::string property;    // one of the names above
  std::uint64_t step = 0;  // the schedule index at which it was detected
  ThreadId thread = kNoThread;
  std::string message;                                        // one line
  std::vector<std::pair<std::string, std::string>> evidence;  // ordered details
  // The known finding (sim/findings.h) this violation is, or empty: the mirrored
  // kernel code's own behaviour, written up in docs/semantics.md.
  std::string finding;
};

// What an event is, for tools that need more than its text (the interleaving
// graph of `replay --dot` draws RCU edges between events of these kinds).
enum class EventKind : std::uint8_t {
  kNote,       // anything not listed below
  kStepBegin,  // the control thread begins scenario step `index` (1-based)
  kStepEnd,    // ... and ends it
  kPassBegin,  // a reader begins pass `index`
  kPassEnd,    // ... and ends it, with the list it saw
  kAccess,     // a memory access: `access` at `location`
  kAlloc,      // `location` names the new object
  kFree,       // `location` names the object freed
  kRcuLock,
  kRcuUnlock,
  kSyncStart,  // synchronize_rcu: its grace period starts
  kSyncEnd,    // synchronize_rcu returns: the grace period is over
  kCallRcu,    // call_rcu queues a callback; callbacks run first in, first out
  kCallback,   // (kRcuThread) the oldest ready callback runs
};

// One line of an execution's story (--explain).
struct Event {
  std::uint64_t step = 0;
  ThreadId thread = kNoThread;
  std::string text;
  EventKind kind = EventKind::kNote;
  MemAccess access = MemAccess::kReadOnce;  // kAccess
  // kAccess: "dev->tcx_ingress", "bpf_mprog_bundle#1.a.fp_items[0]", ...;
  // kAlloc / kFree: the object, "bpf_prog P3", "bpf_mprog_bundle#1".
  std::string location;
  std::uint64_t index = 0;  // kStepBegin/kStepEnd: the control step; kPass*: the pass
  // kAccess, kFree, kCallRcu, kSync*: whether it was a scheduling point of its own,
  // or run as part of the step before because no other thread could observe it.
  bool point = true;
  // The model's line that made it (the mirror's call of a kernel_compat.h accessor
  // or hook); empty for the simulator's own events (steps, passes, callback runs).
  SourceLoc source{};
  // kAccess of rcu_dereference: the entry it loaded ("bpf_mprog_bundle#1.b"), or
  // "NULL".
  std::string loaded;
};

struct ExecutionResult {
  enum class Status { kPassed, kViolation, kAbandoned, kBadSchedule, kBadWorkload };
  Status status = Status::kPassed;
  std::optional<Violation> violation;
  std::vector<ThreadId> schedule;  // every step's thread, including RCU callback runs
  std::uint64_t preemptions = 0;
  std::string error;          // kBadSchedule / kBadWorkload
  std::vector<Event> events;  // when ExecutionOptions::record_events
  // Known findings met and let pass (ExecutionOptions::allowed_findings): the
  // execution went on past each, checking everything else.
  std::vector<Violation> findings;
  std::uint64_t state_hash_steps = 0;
  // ExecutionOptions::collect_outcome: every violation, in the order found, and
  // the outcome (see outcome_of).
  std::vector<Violation> violations;
  std::vector<std::string> observations;  // sorted
  // The same, each with the schedule step it was made at (in the order made).
  std::vector<std::pair<std::uint64_t, std::string>> observed;
};

// What an execution observably did, the same for every execution equivalent to it
// (one that only reorders steps that do not conflict): each reader pass's list,
// each control step's result line, and each violation (property, thread and
// evidence, without step numbers), sorted. Needs collect_outcome.
std::string outcome_of(const ExecutionResult& result);

class FindingPolicy;

struct ExecutionOptions {
  bool record_events = false;
  // Run on through violations (a thread stops only where it cannot go on: an
  // unbalanced unlock, synchronize_rcu inside a section) and record them all, and
  // the observations outcome_of needs. For comparing searches, not for campaigns.
  bool collect_outcome = false;
  // Every access a scheduling point, even those no other thread can observe (see
  // needs_point in execution.cc): for testing that leaving them out loses nothing.
  bool all_points = false;
  std::uint64_t max_steps = 5'000'000;
  // Known findings that do not stop the execution (recorded in
  // ExecutionResult::findings instead); null: every violation stops it.
  const FindingPolicy* allowed_findings = nullptr;
};

class DistinctStates;

// Runs one execution. The strategy's begin_execution must already have been called.
// `states` (optional) accumulates the distinct states seen.
ExecutionResult run_execution(const Workload& workload, const Reference& reference,
                              Strategy& strategy, const ExecutionOptions& options,
                              DistinctStates* states = nullptr);

}  // namespace mprogsim::sim
