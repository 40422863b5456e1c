// SPDX-License-Identifier: GPL-2.0
// One execution: the scheduler, the hooks the model calls, the simulated threads.
// The properties are in execution_checks.cc.
#include "sim/execution.h"

#include <cstdlib>

#include "sim/execution_internal.h"
#include "sim/fiber_switch.h"
#include "sim/stack_pool.h"
#include "sim/target.h"

namespace mprogsim::sim {
namespace detail {


// ---- scheduling ------------------------------------------------------------------

ThreadId Execution::pick() {
  for (;;) {
    if (stop_) return kNoThread;
    enabled_.clear();
    bool all_done = true;
    if (!readers_started_ && (ops_ended_ >= workload_.start_readers_after ||
                              threads_[kControlThread].done)) {
      readers_started_ = true;
    }
    for (std::size_t i = 0; i < nthreads_; i++) {
      Thread& t = threads_[i];
      if (t.done) continue;
      all_done = false;
      if (i != kControlThread && !readers_started_) continue;  // --start-readers-after
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

void Execution::out_of_bounds(const std::string& what) {
  if (unwinding_ || stop_) return;
  violate("out-of-bounds", current_,
          thread_name(current_) + " " + what + " (the kernel would access memory past the array)",
          {{"access", what}});
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

void Execution::log(ThreadId t, std::string text, Event detail) {
  detail.step = now();
  detail.thread = t;
  detail.text = std::move(text);
  result_.events.push_back(std::move(detail));
}

}  // namespace detail


ExecutionResult run_execution(const Workload& workload, const Reference& reference,
                              Strategy& strategy, const ExecutionOptions& options,
                              DistinctStates* states) {
  detail::Execution execution(workload, reference, strategy, options, states);
  return execution.run();
}

}  // namespace mprogsim::sim
