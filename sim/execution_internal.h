// SPDX-License-Identifier: GPL-2.0
// The inside of one simulated execution (sim/execution.h): the Execution class is
// the model's KernelHooks and the scheduler at once. Split over two files:
// execution.cc (scheduling, the hooks, the simulated threads) and
// execution_checks.cc (the properties). Not part of the simulator's interface.
#pragma once

#include <array>
#include <boost/context/fiber.hpp>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/rng.h"
#include "model/kernel_compat.h"
#include "model/mutants.h"
#include "model/sequential_hooks.h"
#include "model/variant_registry.h"
#include "scenario/scenario_runner.h"
#include "sim/distinct_states.h"
#include "sim/execution.h"
#include "sim/fiber_switch.h"
#include "sim/happens_before.h"
#include "sim/rcu.h"
#include "sim/shadow_memory.h"

namespace mprogsim::sim::detail {
namespace ctx = boost::context;

struct RcuQueuedBy {
  ThreadId by = kNoThread;
  std::uint64_t at = 0;
};

inline std::string list_text(const std::vector<u32>& ids) {
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); i++) {
    out += (i ? " P" : "P") + std::to_string(ids[i]);
  }
  return out + "]";
}

// A violation without its step numbers (outcome_of).
std::string violation_key(const Violation& v);

// One per OS thread, reused by every execution (its tables keep their capacity).
inline HappensBefore& scratch_hb() {
  static thread_local HappensBefore hb;
  return hb;
}

class Execution final : public KernelHooks {
 public:
  Execution(const Workload& workload, const Reference& reference, Strategy& strategy,
            const ExecutionOptions& options, DistinctStates* states)
      : workload_(workload),
        reference_(reference),
        strategy_(strategy),
        options_(options),
        states_(states),
        target_(make_target(workload.scenario.semantics, workload.mutant)),
        nthreads_(1 + workload.readers),
        hb_(scratch_hb()) {}

  ~Execution() override {
    {
      // Teardown runs model code (unwinding frames, queued callbacks) through these
      // hooks, inert: run() has already put the thread's old ones back. No mutant:
      // teardown only releases what the run left.
      KernelScope scope(this, &target_->objects());
      // Unwind any thread stopped mid-way: resumed with unwinding_ set, it throws
      // Unwind from its scheduling point up to the top of its fiber and finishes.
      unwinding_ = true;
      for (std::size_t i = 0; i < threads_.size(); i++) {
        if (threads_[i].fiber && threads_[i].started && !threads_[i].done) {
          current_ = static_cast<ThreadId>(i);
          to_thread(current_);
        }
        threads_[i].fiber = {};
      }
      // Callbacks still queued run now, so that what they free is released.
      while (rcu_.callbacks_pending()) rcu_.take_callback().fn();
    }
    session_.reset();
    // Quarantined memory first: some destroy steps touch objects the target owns.
    shadow_.release();
    // An execution stopped inside an attach leaves a bundle nobody points to (the
    // unwound frame held it). The published one is the target's to free.
    const auto published = reinterpret_cast<std::uintptr_t>(target_->published_bundle());
    for (const Allocation& a : shadow_.all()) {
      const bool entry = a.kind == Allocation::Kind::kEntry;
      const bool is_published = published >= a.start && published < a.start + a.size;
      if (entry && !a.freed && !is_published) {
        target_->free_unreachable_entry(reinterpret_cast<void*>(a.start));
      }
    }
    target_.reset();  // frees what is still published, sequentially
  }

  ExecutionResult run();

  // ---- KernelHooks --------------------------------------------------------------
  void access(MemAccess kind, const void* addr) override;
  [[gnu::noinline]] void access_slow(MemAccess kind, const void* addr);
  void alloc(const void* object, std::size_t size, const char* what) override;
  void kfree(const void* object, std::function<void()> destroy) override;
  void rcu_read_lock() override;
  void rcu_read_unlock() override;
  void synchronize_rcu() override;
  void call_rcu(const void* head, std::function<void()> callback) override;
  void warn(const std::string& what) override;
  void out_of_bounds(const std::string& what) override;

 private:
  struct Thread {
    ctx::fiber fiber;  // the suspended thread
    ctx::fiber main;   // the scheduler, while the thread runs
    Transition pending;
    SimRcu::Snapshot sync_snapshot;  // kSyncWait: the grace period it waits for
    bool started = false;
    bool done = false;
    std::uint64_t steps = 0;
    std::uint64_t section_start = 0;    // the step of the last outermost rcu_read_lock
    std::uint32_t section_start_c = 0;  // ... and the control steps that happen before it
    std::uint32_t pass_load_c = 0;  // the control steps that happen before the pass's first load
    bool pass_loaded = false;       // the pass has loaded the published pointer
    std::uint64_t calls = 0;        // hooks called: its position in its own code
    std::uint64_t pass_read = 0;    // a hash of what the current pass has read
    bool parked = false;            // collect_outcome: stopped where it cannot go on
    bool spawned = false;           // its first step has joined the setup's clock
    const void* stack_bottom = nullptr;  // for the ASan annotations (fiber_switch.h)
    std::size_t stack_size = 0;
  };

  bool hooks_live() const { return in_fiber_ && !unwinding_ && !in_callback_; }
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
  void remember_quiet(const void* addr);
  // Everything the rest of the execution depends on (state caching).
  StateKey state_key();
  // How many steps' linearization points happen at or before control step x.
  std::uint64_t published_rank(std::uint32_t x) const;
  std::uint64_t stable_id(std::uintptr_t p);  // an object and offset, never an address
  void stop_thread();                         // a violation the thread cannot run past
  [[noreturn]] void park();     // leave for the scheduler for good (the execution stops)
  void to_main(Thread& self);   // a thread hands over to the scheduler
  void to_thread(ThreadId id);  // the scheduler resumes a thread
  struct Unwind {};             // thrown in a stopped thread to unwind its stack

  void control_body();
  void reader_body(ThreadId id);
  void check_control_step(std::size_t k, const Step& step, const StepReport& report);
  // A reader pass, judged at its end.
  struct PassToJudge {
    ThreadId reader = kNoThread;
    std::uint32_t pass = 0;
    std::vector<u32> ran;
    std::uint32_t load_c = 0;  // control steps that happen before the pass loaded the pointer
    std::uint32_t end_c = 0;   // ... before its last step
    std::uint64_t start = 0;   // schedule steps, for the evidence
    std::uint64_t end = 0;
  };
  void check_snapshot(const PassToJudge& pass);
  void check_quiescence();
  void check_access(ThreadId t, const Transition& tr);

  // `finding`: the known finding this is (sim/findings.h), or empty.
  void violate(std::string property, ThreadId thread, std::string message,
               std::vector<std::pair<std::string, std::string>> evidence = {},
               std::string finding = {});
  std::string where(const void* addr);
  // `detail` carries the structured fields (kind, access, location, index).
  void log(ThreadId t, std::string text, Event detail = {});

  const Workload& workload_;
  const Reference& reference_;
  Strategy& strategy_;
  const ExecutionOptions& options_;
  DistinctStates* states_;
  std::unique_ptr<SimTarget> target_;
  std::unique_ptr<ScenarioSession> session_;
  std::size_t nthreads_;
  std::vector<Thread> threads_;
  std::vector<Transition> pending_view_;
  std::vector<ThreadId> enabled_;
  SimRcu rcu_;
  ShadowMemory shadow_;
  ExecutionResult result_;
  std::vector<ThreadId>& schedule_ = result_.schedule;

  ThreadId current_ = kNoThread;  // the thread whose step is running
  ThreadId next_ = kNoThread;     // set by a fiber that leaves for another thread
  ThreadId last_ = kNoThread;     // the thread that ran the previous step
  bool in_fiber_ = false;
  const void* main_stack_bottom_ = nullptr;
  std::size_t main_stack_size_ = 0;
  bool prestarting_ = false;
  // The control path's quiet allocations: ones whose plain and ONCE accesses need no
  // scheduling point and do nothing else (not visible to any reader, not the
  // published entry, not freed) until the control path's next point or any other
  // hook. The model rewrites a whole peer slot by slot (a memset of 64 slots is 64
  // accesses, a copy reads one entry and writes the other); this spares each the
  // full needs_point. Two of them; empty when lo == hi.
  std::array<std::uintptr_t, 2> quiet_lo_{}, quiet_hi_{};
  std::size_t quiet_next_ = 0;
  bool quiet(std::uintptr_t at) const {
    return at - quiet_lo_[0] < quiet_hi_[0] - quiet_lo_[0] ||
           at - quiet_lo_[1] < quiet_hi_[1] - quiet_lo_[1];
  }
  void forget_quiet() { quiet_lo_ = quiet_hi_ = {}; }
  bool in_callback_ = false;
  bool unwinding_ = false;
  bool stop_ = false;
  bool readers_started_ = false;     // once the control path has ended start_readers_after steps
  VectorClock readers_start_clock_;  // what happens before the readers start
  std::deque<VectorClock> callback_clocks_;  // of each queued callback's call_rcu, in queue order
  std::uint64_t callbacks_run_ = 0;
  struct Hold {
    std::uintptr_t entry = 0;  // an entry a reader loaded with rcu_dereference
    ThreadId reader = kNoThread;
    std::uint32_t end_po = 0;  // the reader's last step of that pass; 0 while it lasts
  };
  std::vector<Hold> holds_;
  HappensBefore& hb_;
  RcuQueuedBy callback_origin_{};

  // Control-path progress, for the snapshot property: steps begun and ended, and
  // step k's linearization point: its first write of the published pointer or of
  // a slot of the published entry, as 1 + the number of steps the control path
  // had performed then (1: before the first choice); 0 while it has none.
  std::vector<std::uint32_t> op_published_c_;
  std::size_t ops_begun_ = 0;
  std::size_t ops_ended_ = 0;
  std::optional<u64> revision_before_;

  // State hashing for DistinctStates.
  std::uint64_t pos_hash_ = 0;
  std::uint64_t mem_hash_ = 0;
  std::unordered_map<std::uint64_t, std::uint64_t> last_write_;  // lookups only
};

}  // namespace mprogsim::sim::detail
