// SPDX-License-Identifier: GPL-2.0
// The inside of one simulated execution (sim/execution.h). The Execution class is
// the model's KernelHooks and the scheduler: it decides which accesses are
// scheduling points, asks the strategy who runs next, records happens-before and
// the events, and tells the checkers. The rest is in parts of their own:
//   fiber_threads.*   the simulated threads' fibers, their stacks and switches
//   thread_state.h    what the execution remembers of each thread
//   check.h, checks.h the checker interface and the list of checkers (one class
//                     per property, `*_check.*`), verdicts.* where they report
//   state_hash.*      the state key (dpor's cache) and the distinct-states hash
//   location_names.*  locations named for reports
// Not part of the simulator's interface.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/kernel_compat.h"
#include "model/mutants.h"
#include "model/sequential_hooks.h"
#include "model/variant_registry.h"
#include "scenario/scenario_runner.h"
#include "sim/check.h"
#include "sim/checks.h"
#include "sim/distinct_states.h"
#include "sim/execution.h"
#include "sim/fiber_threads.h"
#include "sim/happens_before.h"
#include "sim/rcu.h"
#include "sim/shadow_memory.h"
#include "sim/state_hash.h"
#include "sim/thread_state.h"
#include "sim/verdicts.h"

namespace mprogsim::sim::detail {

struct RcuQueuedBy {
  ThreadId by = kNoThread;
  std::uint64_t at = 0;
};

// One per OS thread, reused by every execution (its tables keep their capacity).
inline HappensBefore& scratch_hb() {
  static thread_local HappensBefore hb;
  return hb;
}

// The containers of one execution, kept across the executions of an OS thread so
// that their capacity is reused: a campaign runs hundreds of thousands of
// executions, and allocating these afresh for each cost about a tenth of one.
// reset() leaves them as a fresh execution would have them.
struct ExecutionScratch {
  FiberThreads fibers;
  std::vector<ThreadState> threads;
  std::vector<Transition> pending_view;
  SimRcu rcu;
  ShadowMemory shadow;
  std::vector<Hold> holds;
  std::deque<VectorClock> callback_clocks;  // of each queued callback's call_rcu, in order
  DistinctHash distinct;
  StepReport report;  // the control path's, step after step (its strings keep their capacity)
  std::array<std::vector<u32>, kMaxReaders + 1> ran;  // each reader's pass, pass after pass

  void reset(std::size_t nthreads);
};

// Lends an ExecutionScratch for one execution (executions on one thread may nest:
// each gets its own).
struct ScratchReturn {
  void operator()(ExecutionScratch* scratch) const;
};
using ScratchLease = std::unique_ptr<ExecutionScratch, ScratchReturn>;
ScratchLease lease_scratch(std::size_t nthreads);

class Execution final : public KernelHooks {
 public:
  Execution(const Workload& workload, const Reference& reference, Strategy& strategy,
            const ExecutionOptions& options, DistinctStates* states)
      : scratch_(lease_scratch(1 + workload.readers)),
        workload_(workload),
        reference_(reference),
        strategy_(strategy),
        options_(options),
        states_(states),
        target_(make_target(workload.scenario.semantics, workload.mutant)),
        nthreads_(1 + workload.readers),
        hb_(scratch_hb()) {}

  ~Execution() override;

  ExecutionResult run();

  // ---- KernelHooks --------------------------------------------------------------
  // `loc`: the model's line that called the hook, kept only in recorded events.
  void access(MemAccess kind, const void* addr, SourceLoc loc) override;
  void alloc(const void* object, std::size_t size, const char* what, SourceLoc loc) override;
  void kfree(const void* object, std::function<void()> destroy, SourceLoc loc) override;
  void rcu_read_lock(SourceLoc loc) override;
  void rcu_read_unlock(SourceLoc loc) override;
  void synchronize_rcu(SourceLoc loc) override;
  void call_rcu(const void* head, std::function<void()> callback, SourceLoc loc) override;
  void warn(const std::string& what) override;
  void out_of_bounds(const std::string& what) override;

 private:
  bool hooks_live() const { return fibers_.in_fiber() && !unwinding_ && !in_callback_; }
  std::uint64_t now() const { return schedule_.empty() ? 0 : schedule_.size() - 1; }

  // Announces `t` as this thread's next step and returns once it is chosen.
  void schedule_point(const Transition& t);
  // Picks the next step; runs RCU callbacks picked on the way. Returns the thread
  // to run, or kNoThread when the execution must stop.
  ThreadId pick();
  void run_callback();
  void performed(ThreadId t, const Transition& tr);
  void record_step(ThreadId t, const Transition& tr);  // happens-before of a scheduled step
  // Whether the current thread's next access or RCU call must be a scheduling
  // point: whether another thread could observe it before this thread's next point.
  bool needs_point(const Transition& tr);
  // Whether a reader can read any of [lo, hi) now, or could before the control
  // path's next point: the published entry, or one a reader loaded in a pass the
  // control path does not know (happens-before) to be over.
  bool entry_visible(std::uintptr_t lo, std::uintptr_t hi);
  bool entry_published(std::uintptr_t addr) const;
  void remember_quiet(MemAccess kind, const void* addr);
  StateKey state_key();
  void stop_thread();             // a violation the thread cannot run past
  [[noreturn]] void park();       // leave for the scheduler for good (the execution stops)
  void thread_main(ThreadId id);  // what each fiber runs
  void resume(ThreadId id);       // the scheduler resumes a thread until it hands over
  struct Unwind {};               // thrown in a stopped thread to unwind its stack

  void control_body();
  void reader_body(ThreadId id);

  // `detail` carries the structured fields (kind, access, location, index).
  void log(ThreadId t, std::string text, Event detail = {});

  ScratchLease scratch_;  // first: the references below point into it
  const Workload& workload_;
  const Reference& reference_;
  Strategy& strategy_;
  const ExecutionOptions& options_;
  DistinctStates* states_;
  std::unique_ptr<SimTarget> target_;
  std::unique_ptr<ScenarioSession> session_;
  std::size_t nthreads_;
  FiberThreads& fibers_ = scratch_->fibers;
  const FiberThreads::Body body_ = [this](ThreadId id) { thread_main(id); };
  std::vector<ThreadState>& threads_ = scratch_->threads;
  std::vector<Transition>& pending_view_ = scratch_->pending_view;
  std::array<ThreadId, kMaxReaders + 2> enabled_{};  // pick(): control, readers, rcu
  SimRcu& rcu_ = scratch_->rcu;
  ShadowMemory& shadow_ = scratch_->shadow;
  ExecutionResult result_;
  std::vector<ThreadId>& schedule_ = result_.schedule;
  bool stop_ = false;
  ControlProgress progress_;
  Verdicts verdicts_{result_, options_, stop_};
  CheckContext cx_{workload_, reference_, *target_, shadow_, progress_, verdicts_};
  Checks checks_{cx_};

  ThreadId current_ = kNoThread;  // the thread whose step is running
  ThreadId next_ = kNoThread;     // set by a fiber that leaves for another thread
  ThreadId last_ = kNoThread;     // the thread that ran the previous step
  bool prestarting_ = false;
  bool wants_states_ = false;   // the strategy's, asked once
  std::size_t entry_size_ = 0;  // the target's
  // The control path's quiet allocations (KernelHooks::quiet, which the model's
  // accessors test inline): ones whose plain and ONCE accesses need no scheduling
  // point and do nothing else (not visible to any reader, not the published entry,
  // not freed) until the control path's next point or any other hook. The model
  // rewrites a whole peer slot by slot (a memset of 64 slots is 64 accesses, a copy
  // reads one entry and writes the other); this spares each the call and the full
  // needs_point. Two of them; empty when lo == hi. Only ever set while the control
  // path runs with live hooks (forgotten whenever it hands over), so an access the
  // accessor finds quiet is one the control path makes.
  std::size_t quiet_next_ = 0;
  void forget_quiet() { quiet = QuietRanges{.count = quiet.count}; }
  bool in_callback_ = false;
  bool unwinding_ = false;
  bool readers_started_ = false;     // once the control path has ended start_readers_after steps
  VectorClock readers_start_clock_;  // what happens before the readers start
  std::deque<VectorClock>& callback_clocks_ = scratch_->callback_clocks;
  std::uint64_t callbacks_run_ = 0;
  std::vector<Hold>& holds_ = scratch_->holds;
  HappensBefore& hb_;
  RcuQueuedBy callback_origin_{};

  DistinctHash& distinct_ = scratch_->distinct;  // for DistinctStates
};

}  // namespace mprogsim::sim::detail
