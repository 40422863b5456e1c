// SPDX-License-Identifier: GPL-2.0
#include "sim/execution.h"

#include <boost/context/fiber.hpp>

#include <algorithm>
#include <cstdlib>
#include <array>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "model/mutants.h"
#include "model/sequential_hooks.h"
#include "model/v2/bpf_mprog.h"
#include "sim/distinct_states.h"
#include "sim/fiber_switch.h"
#include "sim/rcu.h"
#include "sim/rng.h"
#include "sim/shadow_memory.h"
#include "sim/stack_pool.h"
#include "sim/target.h"
#include "traces/scenario_runner.h"

namespace mprogsim::sim {
namespace ctx = boost::context;

namespace {

struct RcuQueuedBy {
  ThreadId by = kNoThread;
  std::uint64_t at = 0;
};

std::string list_text(const std::vector<u32>& ids) {
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); i++) {
    out += (i ? " P" : "P") + std::to_string(ids[i]);
  }
  return out + "]";
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
        target_(make_target(workload.scenario.semantics)),
        nthreads_(1 + workload.readers) {}

  ~Execution() override {
    {
      // Teardown runs model code (unwinding frames, queued callbacks) through these
      // hooks, inert: run() has already put the thread's old ones back.
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
      const bool entry = a.what == "bpf_mprog_bundle" || a.what == "tcx_entry";
      const bool is_published = published >= a.start && published < a.start + a.size;
      if (entry && !a.freed && !is_published) std::free(reinterpret_cast<void*>(a.start));
    }
    target_.reset();  // frees what is still published, sequentially
  }

  ExecutionResult run();

  // ---- KernelHooks --------------------------------------------------------------
  void access(MemAccess kind, const void* addr) override;
  void alloc(const void* object, std::size_t size, const char* what) override;
  void kfree(const void* object, std::function<void()> destroy) override;
  void rcu_read_lock() override;
  void rcu_read_unlock() override;
  void synchronize_rcu() override;
  void call_rcu(std::function<void()> callback) override;
  void warn(const std::string& what) override;

 private:
  struct Thread {
    ctx::fiber fiber;  // the suspended thread
    ctx::fiber main;   // the scheduler, while the thread runs
    Transition pending;
    SimRcu::Snapshot sync_snapshot;  // kSyncWait: the grace period it waits for
    bool started = false;
    bool done = false;
    std::uint64_t steps = 0;
    std::uint64_t section_start = 0;  // the step of the last outermost rcu_read_lock
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
  [[noreturn]] void park();  // leave for the scheduler for good (the execution stops)
  void to_main(Thread& self);   // a thread hands over to the scheduler
  void to_thread(ThreadId id);  // the scheduler resumes a thread
  struct Unwind {};             // thrown in a stopped thread to unwind its stack

  void control_body();
  void reader_body(ThreadId id);
  void check_control_step(std::size_t k, const Step& step, const StepReport& report);
  void check_snapshot(ThreadId id, std::uint32_t pass, const std::vector<u32>& ran,
                      std::uint64_t start, std::uint64_t end);
  void check_quiescence();
  void check_access(ThreadId t, const Transition& tr);

  void violate(std::string property, ThreadId thread, std::string message,
               std::vector<std::pair<std::string, std::string>> evidence = {});
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
  bool in_callback_ = false;
  bool unwinding_ = false;
  bool stop_ = false;
  RcuQueuedBy callback_origin_{};

  // Control-path progress, for the snapshot property: step k's first and last
  // schedule index (k from 1; 0 stands for "before any step").
  std::vector<std::uint64_t> op_start_;
  std::vector<std::uint64_t> op_end_;
  std::size_t ops_begun_ = 0;
  std::size_t ops_ended_ = 0;
  std::optional<u64> revision_before_;

  // State hashing for DistinctStates.
  std::uint64_t pos_hash_ = 0;
  std::uint64_t mem_hash_ = 0;
  std::unordered_map<std::uint64_t, std::uint64_t> last_write_;  // lookups only
};

// ---- scheduling ------------------------------------------------------------------

ThreadId Execution::pick() {
  for (;;) {
    if (stop_) return kNoThread;
    enabled_.clear();
    bool all_done = true;
    for (std::size_t i = 0; i < nthreads_; i++) {
      Thread& t = threads_[i];
      if (t.done) continue;
      all_done = false;
      if (t.pending.kind == StepKind::kSyncWait && !rcu_.grace_period_over(t.sync_snapshot)) {
        continue;
      }
      enabled_.push_back(static_cast<ThreadId>(i));
    }
    if (rcu_.callback_ready()) enabled_.push_back(kRcuThread);
    if (enabled_.empty()) {
      if (!all_done) {
        std::string blocked;
        for (std::size_t i = 0; i < nthreads_; i++) {
          if (!threads_[i].done) blocked += " " + thread_name(static_cast<ThreadId>(i));
        }
        violate("deadlock", kNoThread, "no thread can run; waiting:" + blocked);
      }
      return kNoThread;  // finished
    }
    if (schedule_.size() >= options_.max_steps) {
      result_.status = ExecutionResult::Status::kBadWorkload;
      result_.error = "execution exceeded " + std::to_string(options_.max_steps) + " steps";
      stop_ = true;
      return kNoThread;
    }
    SchedulerView view;
    view.enabled = enabled_;
    view.current = last_;
    view.pending = pending_view_;
    view.step = schedule_.size();
    const ThreadId choice = strategy_.choose(view);
    if (choice == kNoThread) {
      result_.status = ExecutionResult::Status::kAbandoned;
      stop_ = true;
      return kNoThread;
    }
    if (!view.is_enabled(choice)) {
      result_.status = ExecutionResult::Status::kBadSchedule;
      result_.error = "the schedule names thread " + thread_name(choice) + " at step " +
                      std::to_string(view.step) + ", which cannot run then (" +
                      (choice < nthreads_ || choice == kRcuThread ? "not enabled" : "no such thread") +
                      ")";
      stop_ = true;
      return kNoThread;
    }
    if (last_ != kNoThread && choice != last_ && view.is_enabled(last_)) result_.preemptions++;
    schedule_.push_back(choice);
    last_ = choice;
    if (choice == kRcuThread) {
      run_callback();
      continue;
    }
    return choice;
  }
}

void Execution::run_callback() {
  SimRcu::Callback cb = rcu_.take_callback();
  const ThreadId saved = current_;
  current_ = kRcuThread;
  in_callback_ = true;
  callback_origin_ = {cb.queued_by, cb.queued_at};
  if (options_.record_events) {
    log(kRcuThread,
        "runs the callback queued by " + thread_name(cb.queued_by) + " at step " +
            std::to_string(cb.queued_at),
        {.kind = EventKind::kCallback});
  }
  cb.fn();
  in_callback_ = false;
  current_ = saved;
  if (states_) states_->add(pos_hash_ ^ mem_hash_ ^ mix64(schedule_.size()));
}

void Execution::schedule_point(const Transition& tr) {
  const ThreadId me = current_;
  Thread& self = threads_[me];
  self.pending = tr;
  pending_view_[me] = tr;
  if (prestarting_) {
    // Running up to the first point is private work; no choice is made for it.
    to_main(self);
    if (stop_ || unwinding_) park();
    current_ = me;
    performed(me, tr);
    if (stop_) park();
    return;
  }
  const ThreadId next = pick();
  if (next != me) {
    // Someone else runs (or the execution stops): hand over to the scheduler.
    next_ = next;
    to_main(self);
    if (stop_ || unwinding_) park();
  }
  current_ = me;
  performed(me, tr);
  if (stop_) park();  // the step itself broke a property: do not run past it
}

void Execution::park() {
  Thread& self = threads_[current_];
  for (;;) {
    if (unwinding_) throw Unwind{};  // caught at the top of the thread's fiber
    to_main(self);
  }
}

void Execution::to_main(Thread& self) {
  void* fake_stack = nullptr;
  start_switch(&fake_stack, main_stack_bottom_, main_stack_size_);
  self.main = std::move(self.main).resume();
  finish_switch(fake_stack, nullptr, nullptr);
}

void Execution::to_thread(ThreadId id) {
  Thread& t = threads_[id];
  void* fake_stack = nullptr;
  start_switch(&fake_stack, t.stack_bottom, t.stack_size);
  in_fiber_ = true;
  t.fiber = std::move(t.fiber).resume();
  in_fiber_ = false;
  finish_switch(fake_stack, nullptr, nullptr);
}

void Execution::performed(ThreadId t, const Transition& tr) {
  Thread& self = threads_[t];
  const std::uint64_t old_pos = mix64((std::uint64_t{t} << 56) ^ self.steps);
  self.steps++;
  pos_hash_ ^= old_pos ^ mix64((std::uint64_t{t} << 56) ^ self.steps);
  if (tr.kind == StepKind::kAccess || tr.kind == StepKind::kFree) check_access(t, tr);
  if (states_) states_->add(pos_hash_ ^ mem_hash_);
}

ExecutionResult Execution::run() {
  const Reference& ref = reference_;
  if (!ref.error.empty()) {
    result_.status = ExecutionResult::Status::kBadWorkload;
    result_.error = ref.error;
    return std::move(result_);
  }
  KernelScope scope(this, &target_->objects());
  const Mutant saved_mutant = current_mutant();
  set_current_mutant(workload_.mutant);

  shadow_.add(target_->device(), target_->device_size(), "net_device");
  try {
    session_ = std::make_unique<ScenarioSession>(target_->api(), workload_.scenario.initial_revision,
                                                 workload_.scenario.semantics);
  } catch (const ScenarioError& e) {
    result_.status = ExecutionResult::Status::kBadWorkload;
    result_.error = e.what();
  }
  const std::function<void()> restore_revision = target_->install_initial_revision();
  rcu_.reset(nthreads_);
  threads_.resize(nthreads_);
  pending_view_.assign(nthreads_, Transition{});
  op_start_.assign(workload_.scenario.steps.size() + 1, 0);
  op_end_.assign(workload_.scenario.steps.size() + 1, 0);

  if (session_) {
    static thread_local StackPool pool(256 * 1024);
    for (std::size_t i = 0; i < nthreads_; i++) {
      const auto id = static_cast<ThreadId>(i);
      threads_[i].fiber = ctx::fiber(
          std::allocator_arg, PooledStack(&pool, &threads_[i].stack_bottom, &threads_[i].stack_size),
          [this, id](ctx::fiber&& main) {
            finish_switch(nullptr, &main_stack_bottom_, &main_stack_size_);
            threads_[id].main = std::move(main);
            threads_[id].started = true;
            current_ = id;
            performed(id, Transition{StepKind::kStart});
            try {
              if (id == kControlThread) {
                control_body();
              } else {
                reader_body(id);
              }
            } catch (const Unwind&) {
              // The execution stopped early; this thread's stack is unwound.
            }
            threads_[id].done = true;
            start_switch(nullptr, main_stack_bottom_, main_stack_size_);
            return std::move(threads_[id].main);
          });
    }
    // Every thread runs up to its first scheduling point before any choice: what
    // it does until then (harness code, fd tables, loads) touches nothing another
    // thread sees, and a "start" step would only multiply equivalent schedules.
    prestarting_ = true;
    for (std::size_t i = 0; i < nthreads_ && !stop_; i++) {
      current_ = static_cast<ThreadId>(i);
      to_thread(static_cast<ThreadId>(i));
    }
    prestarting_ = false;
    // The scheduler loop: resume the chosen thread until it hands over.
    ThreadId run_next = pick();
    while (run_next != kNoThread && !stop_) {
      current_ = run_next;
      next_ = kNoThread;
      to_thread(run_next);
      run_next = next_ != kNoThread ? next_ : pick();
    }
    if (!stop_ && result_.status == ExecutionResult::Status::kPassed) check_quiescence();
  }
  if (result_.violation) result_.status = ExecutionResult::Status::kViolation;

  strategy_.end_execution(schedule_.size());
  set_current_mutant(saved_mutant);
  restore_revision();
  return std::move(result_);
}

// ---- hooks -----------------------------------------------------------------------

void Execution::access(MemAccess kind, const void* addr) {
  const Transition tr{StepKind::kAccess, kind, addr, 0};
  if (unwinding_) return;
  if (!hooks_live()) {
    // Harness code on the scheduler's stack (a callback, a sequential look):
    // still no access to freed memory.
    if (!in_callback_ || stop_) return;
    check_access(current_, tr);
    return;
  }
  schedule_point(tr);
  if (tr.writes()) {
    const Allocation* a = shadow_.find(addr);
    const std::uint64_t key =
        a ? (std::uint64_t{a->seq} << 32) ^ (reinterpret_cast<std::uintptr_t>(addr) - a->start) : 0;
    const std::uint64_t contribution = mix64(key ^ mix64((std::uint64_t{current_} << 40) ^ threads_[current_].steps));
    auto [it, fresh] = last_write_.try_emplace(key, 0);
    mem_hash_ ^= it->second ^ contribution;
    it->second = contribution;
    (void)fresh;
  }
  if (options_.record_events) {
    const std::string location = where(addr);
    log(current_, std::string(access_name(kind)) + " " + location,
        {.kind = EventKind::kAccess, .access = kind, .location = location});
  }
}

void Execution::alloc(const void* object, std::size_t size, const char* what) {
  if (unwinding_) return;
  Allocation& a = shadow_.add(object, size, what);
  if (std::string_view(what) == "bpf_prog") {
    a.model_id = static_cast<const bpf_prog*>(object)->model_id;
  } else if (std::string_view(what) == "bpf_link") {
    a.model_id = static_cast<const bpf_link*>(object)->model_id;
  }
  if (options_.record_events && in_fiber_) {
    log(current_, "allocates " + a.name(), {.kind = EventKind::kAlloc, .location = a.name()});
  }
}

void Execution::kfree(const void* object, std::function<void()> destroy) {
  if (unwinding_) {
    if (Allocation* a = shadow_.find(object)) a->freed = true;
    shadow_.quarantine(std::move(destroy));
    return;
  }
  Allocation* a = shadow_.find(object);
  if (hooks_live()) {
    schedule_point(Transition{StepKind::kFree, MemAccess::kReadOnce, object, a ? a->size : 1});
    if (stop_) return;
  } else if (a && a->freed && !stop_) {
    check_access(current_, Transition{StepKind::kFree, MemAccess::kReadOnce, object, a->size});
  }
  a = shadow_.find(object);
  if (a && !a->freed) {
    a->freed = true;
    a->freed_by = current_;
    a->freed_at = now();
    if (in_callback_) {
      a->queued_by = callback_origin_.by;
      a->queued_at = callback_origin_.at;
    }
    if (options_.record_events) {
      log(current_, "frees " + a->name(), {.kind = EventKind::kFree, .location = a->name()});
    }
  }
  // Programs stay readable (BpfObjects owns them); the flag only records the free.
  // Anything else waits in quarantine until the execution ends.
  if (a && a->what == "bpf_prog") {
    destroy();
  } else {
    shadow_.quarantine(std::move(destroy));
  }
}

void Execution::rcu_read_lock() {
  if (!hooks_live()) return;
  schedule_point(Transition{StepKind::kRcuLock});
  if (!rcu_.in_section(current_)) threads_[current_].section_start = now();
  rcu_.read_lock(current_);
  if (options_.record_events) log(current_, "rcu_read_lock", {.kind = EventKind::kRcuLock});
}

void Execution::rcu_read_unlock() {
  if (!hooks_live()) return;
  schedule_point(Transition{StepKind::kRcuUnlock});
  if (!rcu_.read_unlock(current_)) {
    violate("rcu", current_, "rcu_read_unlock without a matching rcu_read_lock");
    park();
  }
  if (options_.record_events) log(current_, "rcu_read_unlock", {.kind = EventKind::kRcuUnlock});
}

void Execution::synchronize_rcu() {
  if (!hooks_live()) return;
  schedule_point(Transition{StepKind::kSyncStart});
  Thread& self = threads_[current_];
  self.sync_snapshot = rcu_.start_grace_period();
  if (rcu_.in_section(current_)) {
    violate("deadlock", current_, "synchronize_rcu inside a read-side section");
    park();
  }
  if (options_.record_events) {
    std::string waits;
    for (const auto& [t, s] : self.sync_snapshot) waits += " " + thread_name(t);
    log(current_,
        "synchronize_rcu: grace period starts, waits for" +
            (waits.empty() ? std::string(" nobody") : waits),
        {.kind = EventKind::kSyncStart});
  }
  schedule_point(Transition{StepKind::kSyncWait});
  if (options_.record_events) {
    log(current_, "synchronize_rcu: grace period over", {.kind = EventKind::kSyncEnd});
  }
}

void Execution::call_rcu(std::function<void()> callback) {
  if (unwinding_) return;
  if (hooks_live()) schedule_point(Transition{StepKind::kCallRcu});
  if (stop_) return;
  rcu_.call_rcu(std::move(callback), current_, now());
  if (options_.record_events) log(current_, "call_rcu: queues a callback", {.kind = EventKind::kCallRcu});
}

void Execution::warn(const std::string& what) {
  if (unwinding_ || stop_) return;
  violate("kernel-warn", current_, "WARN_ON_ONCE: " + what);
  if (hooks_live()) park();
}

// ---- threads ---------------------------------------------------------------------

void Execution::control_body() {
  const auto& steps = workload_.scenario.steps;
  for (std::size_t k = 0; k < steps.size(); k++) {
    op_start_[k + 1] = now();
    ops_begun_ = k + 1;
    revision_before_ = target_->revision();
    if (options_.record_events) {
      log(kControlThread, "begins step " + std::to_string(k + 1) + ": " + step_op_name(steps[k].op),
          {.kind = EventKind::kStepBegin, .index = k + 1});
    }
    StepReport report;
    try {
      report = session_->step(steps[k]);
    } catch (const ScenarioError& e) {
      result_.status = ExecutionResult::Status::kBadWorkload;
      result_.error = e.what();
      stop_ = true;
      park();
    }
    op_end_[k + 1] = now();
    ops_ended_ = k + 1;
    if (options_.record_events) {
      log(kControlThread, "ends " + report.line + " | " + target_->entries(),
          {.kind = EventKind::kStepEnd, .index = k + 1});
    }
    check_control_step(k, steps[k], report);
    if (stop_) park();
  }
}

void Execution::reader_body(ThreadId id) {
  for (std::uint32_t pass = 1; pass <= workload_.passes; pass++) {
    if (options_.record_events) {
      log(id, "pass " + std::to_string(pass) + " begins", {.kind = EventKind::kPassBegin, .index = pass});
    }
    const std::vector<u32> ran = target_->api().run();
    // The pass runs from its outermost rcu_read_lock to now (its last unlock).
    const std::uint64_t start = threads_[id].section_start;
    const std::uint64_t end = now();
    if (options_.record_events) {
      log(id, "pass " + std::to_string(pass) + " saw " + list_text(ran),
          {.kind = EventKind::kPassEnd, .index = pass});
    }
    check_snapshot(id, pass, ran, start, end);
    if (stop_) park();
  }
}

// ---- properties ------------------------------------------------------------------

void Execution::violate(std::string property, ThreadId thread, std::string message,
                        std::vector<std::pair<std::string, std::string>> evidence) {
  if (result_.violation) return;
  Violation v;
  v.property = std::move(property);
  v.step = now();
  v.thread = thread;
  v.message = std::move(message);
  v.evidence = std::move(evidence);
  result_.violation = std::move(v);
  stop_ = true;
}

std::string Execution::where(const void* addr) {
  const Allocation* a = shadow_.find(addr);
  if (!a) return "untracked memory";
  const std::size_t offset = reinterpret_cast<std::uintptr_t>(addr) - a->start;
  if (a->what == "bpf_mprog_bundle" || a->what == "tcx_entry") {
    const std::size_t base = target_->bundle_offset();
    const std::string field = offset >= base ? target_->bundle_field(offset - base) : "";
    if (!field.empty()) return a->name() + "." + field;
  }
  if (a->what == "net_device" && offset == 0) return "dev->tcx_ingress";
  return shadow_.describe(addr);
}

void Execution::check_access(ThreadId t, const Transition& tr) {
  Allocation* a = shadow_.find(tr.addr);
  if (!a || !a->freed) return;
  std::string freer = a->freed_by == kRcuThread
                          ? "an RCU callback at step " + std::to_string(a->freed_at) +
                                " (queued by " + thread_name(a->queued_by) + " at step " +
                                std::to_string(a->queued_at) + ")"
                          : thread_name(a->freed_by) + " at step " + std::to_string(a->freed_at);
  const std::string what = tr.kind == StepKind::kFree ? "kfree (double free)" : access_name(tr.access);
  violate("use-after-free", t,
          thread_name(t) + " " + what + " of " + where(tr.addr) + ", freed by " + freer,
          {{"access", what},
           {"location", where(tr.addr)},
           {"object", a->name()},
           {"freed_by", a->freed_by == kRcuThread ? "rcu" : thread_name(a->freed_by)},
           {"freed_at_step", std::to_string(a->freed_at)},
           {"queued_by", a->queued_by == kNoThread ? "" : thread_name(a->queued_by)},
           {"queued_at_step", a->queued_by == kNoThread ? "" : std::to_string(a->queued_at)}});
}

void Execution::check_control_step(std::size_t k, const Step& step, const StepReport& report) {
  if (stop_) return;
  const std::uint64_t n = k + 1;
  if (step.op != StepOp::kRefs && report.line != reference_.spec_lines[k]) {
    violate("spec", kControlThread, "step " + std::to_string(n) + " differs from the spec",
            {{"model", report.line}, {"spec", reference_.spec_lines[k]}});
    return;
  }
  if (step.op != StepOp::kRefs && !report.mismatches.empty()) {
    violate("spec", kControlThread,
            "step " + std::to_string(n) + " missed the file's expectation: " + report.mismatches.front(),
            {{"model", report.line}});
    return;
  }
  // Revision rules.
  const std::optional<u64> after = target_->revision();
  if (after && *after == 0) {
    violate("revision", kControlThread, "step " + std::to_string(n) + " left revision 0",
            {{"step", report.line}});
    return;
  }
  const bool ok = report.observed.expect.value_or("OK") == "OK";
  const bool changed = reference_.committed[n] != reference_.committed[n - 1];
  if (revision_before_ && after && target_->published_bundle()) {
    const u64 before = *revision_before_;
    const u64 next = target_->next_revision(before);
    std::string broken;
    if (!ok && *after != before) broken = "a failed step moved the revision";
    if (ok && changed && *after != next) broken = "a committed change did not move the revision by one";
    if (ok && *after != before && *after != next) broken = "the revision moved by more than one";
    if (!broken.empty()) {
      violate("revision", kControlThread, "step " + std::to_string(n) + ": " + broken,
              {{"step", report.line},
               {"before", std::to_string(before)},
               {"after", std::to_string(*after)}});
    }
  }
}

void Execution::check_snapshot(ThreadId id, std::uint32_t pass, const std::vector<u32>& ran,
                               std::uint64_t start, std::uint64_t end) {
  if (stop_) return;
  // State j is current from step j's linearization point to step j+1's, each
  // somewhere inside its step: it may have been current during [start, end] if
  // step j began by `end` and step j+1 had not ended before `start`.
  const std::size_t n = workload_.scenario.steps.size();
  std::vector<std::size_t> allowed;
  for (std::size_t j = 0; j <= n; j++) {
    const bool began = j == 0 || (j <= ops_begun_ && op_start_[j] <= end);
    const bool not_over = j == n || j + 1 > ops_ended_ || op_end_[j + 1] >= start;
    if (began && not_over) allowed.push_back(j);
  }
  for (std::size_t j : allowed) {
    if (reference_.committed[j] == ran) return;
  }
  std::string lists;
  for (std::size_t j : allowed) {
    lists += (lists.empty() ? "" : ", ") + std::string("after control step ") + std::to_string(j) + ": " +
             list_text(reference_.committed[j]);
  }
  violate("snapshot", id,
          thread_name(id) + " pass " + std::to_string(pass) + " saw " + list_text(ran) +
              ", which no committed state current during the pass had",
          {{"saw", list_text(ran)},
           {"pass", std::to_string(pass)},
           {"pass_steps", std::to_string(start) + ".." + std::to_string(end)},
           {"committed", lists}});
}

void Execution::check_quiescence() {
  BpfObjects& objects = target_->objects();
  const auto attached = target_->attached_without_link();
  u64 total = 0;
  auto alloc_of = [&](const void* object) { return shadow_.find(object); };
  for (u32 i = 0; i < objects.prog_count(); i++) {
    const bpf_prog* prog = objects.prog_at(i);
    u64 expected = objects.fd_refs(prog);
    expected += static_cast<u64>(std::count(attached.begin(), attached.end(), prog));
    for (u32 l = 0; l < objects.link_count(); l++) {
      const bpf_link* link = objects.link_at(l);
      if (link->refcnt > 0 && link->prog == prog) expected++;
    }
    const auto refcnt = static_cast<u64>(prog->aux->refcnt);
    total += refcnt;
    const Allocation* a = alloc_of(prog);
    const bool freed = a && a->freed;
    const std::string name = "P" + std::to_string(prog->model_id);
    if (refcnt != expected) {
      violate("refs", kNoThread,
              name + " holds " + std::to_string(refcnt) + " references but has " +
                  std::to_string(expected) + " owners",
              {{"object", name}, {"refcnt", std::to_string(refcnt)}, {"owners", std::to_string(expected)}});
      return;
    }
    if (refcnt == 0 && !freed) {
      violate("leak", kNoThread, name + " has no references left but was never freed");
      return;
    }
    if (refcnt > 0 && freed) {
      violate("use-after-free", kNoThread, name + " was freed while " + std::to_string(refcnt) +
                                               " references remain");
      return;
    }
  }
  for (u32 l = 0; l < objects.link_count(); l++) {
    const bpf_link* link = objects.link_at(l);
    total += static_cast<u64>(link->refcnt);
    const u64 expected = objects.fd_refs(link);
    const std::string name = "L" + std::to_string(link->model_id);
    if (static_cast<u64>(link->refcnt) != expected) {
      violate("refs", kNoThread,
              name + " holds " + std::to_string(link->refcnt) + " references but has " +
                  std::to_string(expected) + " owners");
      return;
    }
  }
  if (objects.refs_taken() - objects.refs_dropped() != total) {
    violate("refs", kNoThread,
            "references taken minus dropped is " +
                std::to_string(objects.refs_taken() - objects.refs_dropped()) +
                " but objects hold " + std::to_string(total));
    return;
  }
  const void* published = target_->published_bundle();
  for (const Allocation& a : shadow_.all()) {
    // v2 allocates the bundle; upstream the tcx_entry that starts with it.
    const bool entry = a.what == "bpf_mprog_bundle" || a.what == "tcx_entry";
    const auto p = reinterpret_cast<std::uintptr_t>(published);
    if (entry && !a.freed && !(p >= a.start && p < a.start + a.size)) {
      violate("leak", kNoThread, a.name() + " is neither published nor freed");
      return;
    }
  }
}

void Execution::log(ThreadId t, std::string text, Event detail) {
  detail.step = now();
  detail.thread = t;
  detail.text = std::move(text);
  result_.events.push_back(std::move(detail));
}

}  // namespace

ExecutionResult run_execution(const Workload& workload, const Reference& reference,
                              Strategy& strategy, const ExecutionOptions& options,
                              DistinctStates* states) {
  Execution execution(workload, reference, strategy, options, states);
  return execution.run();
}

}  // namespace mprogsim::sim
