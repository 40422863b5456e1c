// SPDX-License-Identifier: GPL-2.0
// One execution: the scheduler, the hooks the model calls, what the simulated
// threads run. The fibers are in fiber_threads.cc, the properties in the checkers
// (checks.h), the state hash in state_hash.cc.
#include "sim/execution.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "common/assert.h"
#include "model/variant_registry.h"
#include "sim/execution_internal.h"
#include "sim/location_names.h"

namespace mprogsim::sim {
namespace detail {

// ---- scratch ---------------------------------------------------------------------

namespace {
// The scratch containers not lent out, per OS thread.
std::vector<std::unique_ptr<ExecutionScratch>>& idle_scratch() {
  static thread_local std::vector<std::unique_ptr<ExecutionScratch>> idle;
  return idle;
}
}  // namespace

void ExecutionScratch::reset(std::size_t nthreads) {
  fibers.reset();
  threads.assign(nthreads, ThreadState{});
  pending_view.assign(nthreads, Transition{});
  rcu.reset(nthreads);
  shadow.reset();
  holds.clear();
  callback_clocks.clear();
  distinct.reset();
}

void ScratchReturn::operator()(ExecutionScratch* scratch) const {
  idle_scratch().emplace_back(scratch);
}

ScratchLease lease_scratch(std::size_t nthreads) {
  auto& idle = idle_scratch();
  ExecutionScratch* scratch = nullptr;
  if (idle.empty()) {
    scratch = new ExecutionScratch;
  } else {
    scratch = idle.back().release();
    idle.pop_back();
  }
  scratch->reset(nthreads);
  return ScratchLease(scratch);
}

namespace {
bool plain_or_once(MemAccess kind) {
  constexpr unsigned kPlainOrOnce = 1U << static_cast<unsigned>(MemAccess::kReadOnce) |
                                    1U << static_cast<unsigned>(MemAccess::kPlainRead) |
                                    1U << static_cast<unsigned>(MemAccess::kWriteOnce) |
                                    1U << static_cast<unsigned>(MemAccess::kPlainWrite);
  return (1U << static_cast<unsigned>(kind)) & kPlainOrOnce;
}
// Transition::writes() of an access, inline: asked for every access.
bool access_writes(MemAccess kind) {
  constexpr unsigned kWrites = 1U << static_cast<unsigned>(MemAccess::kWriteOnce) |
                               1U << static_cast<unsigned>(MemAccess::kPlainWrite) |
                               1U << static_cast<unsigned>(MemAccess::kRcuAssign) |
                               1U << static_cast<unsigned>(MemAccess::kRefInc) |
                               1U << static_cast<unsigned>(MemAccess::kRefDec);
  return (1U << static_cast<unsigned>(kind)) & kWrites;
}
}  // namespace

// ---- scheduling ------------------------------------------------------------------

ThreadId Execution::pick() {
  for (;;) {
    if (stop_) return kNoThread;
    std::size_t n = 0;
    std::uint32_t mask = 0;  // bit t: thread t is enabled (kRcuBit: a callback)
    constexpr std::uint32_t kRcuBit = 1U << 31;
    static_assert(kMaxReaders + 1 < 31, "a bit per thread");
    bool all_done = true;
    if (!readers_started_ &&
        (progress_.ended >= workload_.start_readers_after || fibers_.done(kControlThread))) {
      readers_started_ = true;
      readers_start_clock_ = hb_.clock(kControlThread);
    }
    for (std::size_t i = 0; i < nthreads_; i++) {
      const ThreadState& t = threads_[i];
      if (fibers_.done(static_cast<ThreadId>(i))) continue;
      all_done = false;
      if (i != kControlThread && !readers_started_) continue;  // --start-readers-after
      if (t.parked) continue;
      if (t.pending.kind == StepKind::kSyncWait && !rcu_.grace_period_over(t.sync_snapshot)) {
        continue;
      }
      enabled_[n++] = static_cast<ThreadId>(i);
      mask |= 1U << i;
    }
    if (rcu_.callback_ready()) {
      enabled_[n++] = kRcuThread;
      mask |= kRcuBit;
    }
    auto enabled = [mask](ThreadId t) {
      return t == kRcuThread ? (mask & kRcuBit) != 0 : t < 31 && (mask >> t & 1U);
    };
    if (n == 0) {
      if (!all_done) {
        std::string blocked;
        for (std::size_t i = 0; i < nthreads_; i++) {
          if (!fibers_.done(static_cast<ThreadId>(i))) {
            blocked += " " + thread_name(static_cast<ThreadId>(i));
          }
        }
        verdicts_.violate("deadlock", kNoThread, "no thread can run; waiting:" + blocked);
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
    view.enabled = std::span<const ThreadId>(enabled_.data(), n);
    view.current = last_;
    view.pending = pending_view_;
    view.step = schedule_.size();
    view.hb = &hb_;
    if (wants_states_) view.state = state_key();
    const ThreadId choice = strategy_.choose(view);
    if (choice == kNoThread) {
      result_.status = ExecutionResult::Status::kAbandoned;
      stop_ = true;
      return kNoThread;
    }
    if (!enabled(choice)) {
      result_.status = ExecutionResult::Status::kBadSchedule;
      result_.error =
          "the schedule names thread " + thread_name(choice) + " at schedule step " +
          std::to_string(view.step) + ", which cannot run then (" +
          (choice < nthreads_ || choice == kRcuThread ? "not enabled" : "no such thread") + ")";
      stop_ = true;
      return kNoThread;
    }
    if (last_ != kNoThread && choice != last_ && enabled(last_)) result_.preemptions++;
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
  // The callback runs after its call_rcu and after the unlocks that ended its
  // grace period; what it frees is recorded by kfree.
  hb_.begin(kRcuThread);
  hb_.effect().kind = StepKind::kCallback;
  hb_.after_clock(callback_clocks_.front());
  callback_clocks_.pop_front();
  for (const auto& [reader, section] : cb.snapshot) hb_.after_section(reader, section);
  if (options_.record_events) {
    log(kRcuThread,
        "runs the callback queued by " + thread_name(cb.queued_by) + " at schedule step " +
            std::to_string(cb.queued_at),
        {.kind = EventKind::kCallback});
  }
  cb.fn();
  hb_.end();
  callbacks_run_++;
  in_callback_ = false;
  current_ = saved;
  if (states_) states_->add(distinct_.value() ^ mix64(schedule_.size()));
}

void Execution::schedule_point(const Transition& tr) {
  forget_quiet();  // other threads may run: what a reader can see may change
  const ThreadId me = current_;
  threads_[me].pending = tr;
  pending_view_[me] = tr;
  if (prestarting_) {
    // Running up to the first point is private work; no choice is made for it.
    fibers_.yield(me);
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
    fibers_.yield(me);
    if (stop_ || unwinding_) park();
  }
  current_ = me;
  performed(me, tr);
  if (stop_) park();  // the step itself broke a property: do not run past it
}

void Execution::park() {
  const ThreadId me = current_;
  for (;;) {
    if (unwinding_) throw Unwind{};  // caught at the top of the thread's fiber
    fibers_.yield(me);
  }
}

void Execution::performed(ThreadId t, const Transition& tr) {
  ThreadState& self = threads_[t];
  if (states_) distinct_.moved(t, self.steps);
  self.steps++;
  if (tr.kind != StepKind::kStart) record_step(t, tr);
  if (tr.kind == StepKind::kAccess || tr.kind == StepKind::kFree) checks_.access(t, tr);
  if (states_) states_->add(distinct_.value());
}

void Execution::record_step(ThreadId t, const Transition& tr) {
  hb_.begin(t);
  ThreadState& self = threads_[t];
  if (t != kControlThread && !self.spawned) {
    self.spawned = true;
    if (workload_.start_readers_after) hb_.after_clock(readers_start_clock_);
  }
  // Written in place: a StepEffect built aside and copied in stalls the copy's wide
  // load on the narrow stores that built it (a few percent of the whole run).
  StepEffect& effect = hb_.effect();
  effect.kind = tr.kind;
  effect.access = tr.access;
  switch (tr.kind) {
    case StepKind::kAccess: {
      // A refcount is a location apart from the program bpf_prog_run reads.
      const bool refcount = tr.access == MemAccess::kRefInc || tr.access == MemAccess::kRefDec;
      const Allocation* a = shadow_.find(tr.addr);
      const auto addr = reinterpret_cast<std::uintptr_t>(tr.addr);
      effect.object = a ? a->seq : 0;
      effect.untracked = !a;
      effect.key = a ? location_key(a->seq, addr - a->start, refcount) : addr;
      effect.write = access_writes(tr.access);
      if (tr.access == MemAccess::kRcuDeref) {
        // The reader loads this pointer now (the step performs the access).
        const auto entry = *static_cast<const std::uintptr_t*>(tr.addr);
        if (entry) holds_.push_back({entry, t, 0});
      }
      if (wants_states_ && t != kControlThread &&
          (tr.access == MemAccess::kReadOnce || tr.access == MemAccess::kRcuDeref)) {
        // What a reader reads decides where its code goes next (for state_key only).
        const auto value = *static_cast<const std::uintptr_t*>(tr.addr);
        self.pass_read = mix64(self.pass_read ^ stable_id(shadow_, value) ^ (self.calls << 48));
      }
      hb_.access(effect.key, effect.write, effect.object);
      break;
    }
    case StepKind::kFree: {
      const Allocation* a = shadow_.find(tr.addr);
      effect.object = a ? a->seq : 0;
      effect.untracked = !a;
      hb_.free(effect.object);
      break;
    }
    case StepKind::kRcuLock:
      hb_.rcu_lock_or_unlock(t);
      break;
    case StepKind::kRcuUnlock:
      hb_.rcu_lock_or_unlock(t);
      if (rcu_.nesting(t) == 1) hb_.ends_section(t, rcu_.section(t));
      break;
    case StepKind::kSyncStart:
    case StepKind::kCallRcu:
      hb_.rcu_snapshot();
      break;
    case StepKind::kSyncWait:
      for (const auto& [reader, section] : self.sync_snapshot) hb_.after_section(reader, section);
      break;
    default:
      break;
  }
  hb_.end();
  if (tr.kind == StepKind::kAccess && tr.access == MemAccess::kRcuDeref && !self.pass_loaded) {
    self.pass_loaded = true;
    self.pass_load_c = hb_.clock(t).c[kControlThread];
  }
}

bool Execution::needs_point(const Transition& tr) {
  if (current_ != kControlThread) return true;
  // No reader can see anything before it starts: its first step happens after the
  // step that ends the setup, and so after everything the control path did before.
  const u32 k = workload_.start_readers_after;
  const bool no_reader = workload_.readers == 0 || (k > 0 && progress_.ended < k);
  switch (tr.kind) {
    case StepKind::kSyncStart:
    case StepKind::kSyncWait:
    case StepKind::kCallRcu:
      return !no_reader;  // the grace period's snapshot is empty, and stays so
    case StepKind::kAccess:
    case StepKind::kFree:
      break;
    default:
      return true;
  }
  const Allocation* a = shadow_.find(tr.addr);
  // The RCU callbacks may free it (or already did): their order against this
  // access is a choice.
  if (!a || a->freed || a->rcu_free_queued) return true;
  if (no_reader) return false;
  const bool entry = a->kind == Allocation::Kind::kEntry;
  const auto addr = reinterpret_cast<std::uintptr_t>(tr.addr);
  if (tr.kind == StepKind::kFree) {
    if (a->kind == Allocation::Kind::kLink) return false;  // no reader touches a link
    return !entry || entry_visible(a->start, a->start + a->size);
  }
  switch (tr.access) {
    case MemAccess::kRefInc:
    case MemAccess::kRefDec:
      return false;  // only the control path counts references
    case MemAccess::kReadOnce:
    case MemAccess::kPlainRead:
      return !entry;  // only the control path writes the slots it reads
    case MemAccess::kWriteOnce:
    case MemAccess::kPlainWrite:
      return !entry || entry_visible(addr, addr + 1);
    default:
      return true;  // the published pointer, a reader's own accesses
  }
}

StateKey Execution::state_key() {
  return sim::state_key(StateView{.threads = threads_,
                                  .fibers = fibers_,
                                  .rcu = rcu_,
                                  .hb = hb_,
                                  .holds = holds_,
                                  .progress = progress_,
                                  .shadow = shadow_,
                                  .readers_started = readers_started_,
                                  .callbacks_run = callbacks_run_});
}

bool Execution::entry_published(std::uintptr_t addr) const {
  const auto e = reinterpret_cast<std::uintptr_t>(target_->published_entry());
  return e && addr >= e && addr < e + entry_size_;
}

bool Execution::entry_visible(std::uintptr_t lo, std::uintptr_t hi) {
  const std::size_t size = entry_size_;
  auto overlaps = [&](std::uintptr_t e) { return e && lo < e + size && e < hi; };
  if (overlaps(reinterpret_cast<std::uintptr_t>(target_->published_entry()))) return true;
  const VectorClock& known = hb_.clock(kControlThread);
  for (std::size_t i = 0; i < holds_.size();) {
    const Hold& h = holds_[i];
    if (h.end_po && known.knows(hb_.slot_of(h.reader), h.end_po)) {
      // The control path knows this pass is over, and will from now on.
      holds_[i] = holds_.back();
      holds_.pop_back();
      continue;
    }
    if (overlaps(h.entry)) return true;
    i++;
  }
  return false;
}

// Called after an access of the control path that needed no point: if no plain or
// ONCE access near it would need one either, or do anything else, until the next
// point, later ones skip the checks. Near: inside the same tracked, live allocation,
// and between the entries around it that a reader can see, or that are published (a
// write there is a linearization point). That covers the whole allocation when no
// reader has started (needs_point: no_reader); otherwise only an entry's memory (a
// read of an entry is never a point, a write is when entry_visible says so). Nothing
// a reader can see changes before the control path's next point or another hook,
// which forget it; nor, except when the setup ends (control_body forgets it then),
// does whether a reader has started. A bundle holds both entries: the range stops at
// the one readers may walk.
void Execution::remember_quiet(MemAccess kind, const void* addr) {
  const Allocation* a = shadow_.find(addr);
  if (!a || a->freed || a->rcu_free_queued) return;
  if (a->kind == Allocation::Kind::kEntry &&
      (kind == MemAccess::kReadOnce || kind == MemAccess::kPlainRead)) {
    // The control path's reads of a live entry never need a point (needs_point: only
    // it writes slots), published or not; they only count, until the next point or
    // another hook (a free or call_rcu among them).
    quiet.read_lo = a->start;
    quiet.read_hi = a->start + a->size;
  }
  const u32 k = workload_.start_readers_after;
  const bool no_reader = workload_.readers == 0 || (k > 0 && progress_.ended < k);
  if (!no_reader && a->kind != Allocation::Kind::kEntry) return;
  const auto at = reinterpret_cast<std::uintptr_t>(addr);
  const std::size_t size = entry_size_;
  std::uintptr_t lo = a->start, hi = a->start + a->size;
  // Shrinks [lo, hi) to leave out the entry at e; false if `at` is inside it.
  auto leave_out = [&](std::uintptr_t e) {
    if (!e || e >= hi || e + size <= lo) return true;
    if (at >= e && at < e + size) return false;
    if (e + size <= at) {
      lo = e + size;
    } else {
      hi = e;
    }
    return true;
  };
  if (!leave_out(reinterpret_cast<std::uintptr_t>(target_->published_entry()))) return;
  if (!no_reader) {
    const VectorClock& known = hb_.clock(kControlThread);
    for (const Hold& h : holds_) {
      if (h.end_po && known.knows(hb_.slot_of(h.reader), h.end_po)) continue;  // over
      if (!leave_out(h.entry)) return;
    }
  }
  quiet.lo[quiet_next_] = lo;
  quiet.hi[quiet_next_] = hi;
  quiet_next_ ^= 1;
}

void Execution::stop_thread() {
  if (options_.collect_outcome && !stop_) threads_[current_].parked = true;
  park();
}

Execution::~Execution() {
  {
    // Teardown runs model code (unwinding frames, queued callbacks) through these
    // hooks, inert: run() has already put the thread's old ones back. No mutant:
    // teardown only releases what the run left.
    KernelScope scope(this, &target_->objects());
    // Unwind any thread stopped mid-way: resumed with unwinding_ set, it throws
    // Unwind from its scheduling point up to the top of its fiber and finishes.
    unwinding_ = true;
    for (std::size_t i = 0; i < fibers_.size(); i++) {
      const auto id = static_cast<ThreadId>(i);
      if (fibers_.suspended(id)) {
        current_ = id;
        resume(id);
      }
      fibers_.drop(id);
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

void Execution::resume(ThreadId id) {
  fibers_.resume(id);
  // The thread handed over (or stopped, or finished): no range is quiet while the
  // scheduler runs.
  forget_quiet();
}

void Execution::thread_main(ThreadId id) {
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
}

ExecutionResult Execution::run() {
  const Reference& ref = reference_;
  if (!ref.error.empty()) {
    result_.status = ExecutionResult::Status::kBadWorkload;
    result_.error = ref.error;
    return std::move(result_);
  }
  // The target's system carries the workload's mutant; it is in force while this
  // execution runs its fibers on the thread.
  KernelScope scope(this, &target_->objects(), target_->mutant());

  shadow_.add(target_->device(), target_->device_size(), "net_device");
  try {
    session_ = std::make_unique<ScenarioSession>(
        target_->api(), workload_.scenario.initial_revision, workload_.scenario.semantics);
  } catch (const ScenarioError& e) {
    result_.status = ExecutionResult::Status::kBadWorkload;
    result_.error = e.what();
  }
  const std::function<void()> restore_revision = target_->install_initial_revision();
  hb_.reset(workload_.readers, strategy_.wants_races());
  wants_states_ = strategy_.wants_states();
  schedule_.reserve(256);  // most executions take fewer steps: one allocation, not eight
  progress_.published_c.assign(workload_.scenario.steps.size() + 1, 0);
  quiet.count = &threads_[kControlThread].calls;
  entry_size_ = target_->entry_size();

  if (session_) {
    fibers_.create(nthreads_, &body_);
    // Every thread runs up to its first scheduling point before any choice: what
    // it does until then (harness code, fd tables, loads) touches nothing another
    // thread sees, and a "start" step would only multiply equivalent schedules.
    prestarting_ = true;
    for (std::size_t i = 0; i < nthreads_ && !stop_; i++) {
      current_ = static_cast<ThreadId>(i);
      resume(static_cast<ThreadId>(i));
    }
    prestarting_ = false;
    // The scheduler loop: resume the chosen thread until it hands over.
    ThreadId run_next = pick();
    while (run_next != kNoThread && !stop_) {
      current_ = run_next;
      next_ = kNoThread;
      resume(run_next);
      run_next = next_ != kNoThread ? next_ : pick();
    }
    if (!stop_ && result_.status == ExecutionResult::Status::kPassed) checks_.quiescence();
  }
  // (collect_outcome: an execution abandoned after a violation stays abandoned; the
  // violation is met again by an execution that runs to its end.)
  if (result_.violation && result_.status != ExecutionResult::Status::kAbandoned) {
    result_.status = ExecutionResult::Status::kViolation;
  }
  if (options_.collect_outcome) {
    for (const Violation& v : result_.violations)
      result_.observed.emplace_back(v.step, violation_key(v));
    for (const auto& [step, text] : result_.observed) result_.observations.push_back(text);
    std::sort(result_.observations.begin(), result_.observations.end());
  }

  if (strategy_.wants_races()) strategy_.observe(hb_);
  strategy_.end_execution(schedule_.size());
  restore_revision();
  return std::move(result_);
}

// ---- hooks -----------------------------------------------------------------------

// Most accesses are the control path's, in a quiet allocation (remember_quiet): the
// model's accessor counts them as a hook called and does not call this.
void Execution::access(MemAccess kind, const void* addr, SourceLoc loc) {
  const Transition tr{StepKind::kAccess, kind, addr, 0};
  if (unwinding_) return;
  if (!hooks_live()) {
    // Harness code on the scheduler's stack (a callback, a sequential look):
    // still no access to freed memory.
    if (!in_callback_ || stop_) return;
    if (const Allocation* a = shadow_.find(addr)) {
      const auto at = reinterpret_cast<std::uintptr_t>(addr) - a->start;
      hb_.access(location_key(a->seq, at,
                              tr.access == MemAccess::kRefInc || tr.access == MemAccess::kRefDec),
                 access_writes(kind), a->seq);
    }
    checks_.access(current_, tr);
    return;
  }
  threads_[current_].calls++;
  const bool control = current_ == kControlThread;
  const bool quiet_kind = plain_or_once(kind);
  if (!quiet_kind) forget_quiet();
  const bool writes = access_writes(kind);
  const bool point = options_.all_points || !control || needs_point(tr);
  // A write that changes what a reader would read now is the step's
  // linearization point (the first one is).
  const std::size_t begun = progress_.begun;
  const bool publishes =
      control && writes && begun > 0 && !progress_.published_c[begun] &&
      (kind == MemAccess::kRcuAssign || (kind != MemAccess::kRefInc && kind != MemAccess::kRefDec &&
                                         entry_published(reinterpret_cast<std::uintptr_t>(addr))));
  if (point) schedule_point(tr);
  if (publishes) progress_.published_c[begun] = hb_.clock(kControlThread).c[kControlThread] + 1;
  if (control && !point && quiet_kind && !options_.record_events) remember_quiet(kind, addr);
  // Only the distinct-state estimate needs this. A write no other thread could
  // observe is a function of the control path's position, already in the state.
  if (states_ && writes && point) {
    const Allocation* a = shadow_.find(addr);
    const std::uint64_t key =
        a ? (std::uint64_t{a->seq} << 32) ^ (reinterpret_cast<std::uintptr_t>(addr) - a->start) : 0;
    distinct_.wrote(key, current_, threads_[current_].steps);
  }
  if (options_.record_events) {
    const std::string location = location_name(shadow_, *target_, addr);
    Event detail{.kind = EventKind::kAccess, .access = kind, .location = location, .point = point};
    detail.source = loc;
    std::string text = std::string(access_name(kind)) + " " + location;
    if (kind == MemAccess::kRcuDeref) {
      // Which entry a reader walks: the value it loads now (the model reads it as soon
      // as this hook returns, with no other thread in between).
      const void* entry = *static_cast<const void* const*>(addr);
      detail.loaded = entry ? location_name(shadow_, *target_, entry) : "NULL";
      // "bpf_mprog_bundle#1.a.fp_items[0]": the entry is the bundle's field a.
      const std::size_t dot = detail.loaded.find('.');
      if (dot != std::string::npos) detail.loaded.resize(detail.loaded.find('.', dot + 1));
      text += " -> " + detail.loaded;
    }
    log(current_, std::move(text), std::move(detail));
  }
}

void Execution::alloc(const void* object, std::size_t size, const char* what, SourceLoc loc) {
  forget_quiet();
  if (unwinding_) return;
  Allocation& a = shadow_.add(object, size, what);
  if (a.kind == Allocation::Kind::kProg) {
    a.model_id = static_cast<const bpf_prog*>(object)->model_id;
  } else if (a.kind == Allocation::Kind::kLink) {
    a.model_id = static_cast<const bpf_link*>(object)->model_id;
  }
  if (options_.record_events && fibers_.in_fiber()) {
    Event detail{.kind = EventKind::kAlloc, .location = a.name()};
    detail.source = loc;
    log(current_, "allocates " + a.name(), std::move(detail));
  }
}

void Execution::kfree(const void* object, std::function<void()> destroy, SourceLoc loc) {
  forget_quiet();
  if (unwinding_) {
    Allocation* a = shadow_.find(object);
    if (a && a->freed) return;  // released once, however often it is freed
    if (a) a->freed = true;
    shadow_.quarantine(std::move(destroy));
    return;
  }
  Allocation* a = shadow_.find(object);
  bool point = false;
  if (hooks_live()) {
    threads_[current_].calls++;
    const Transition tr{StepKind::kFree, MemAccess::kReadOnce, object, a ? a->size : 1};
    point = options_.all_points || needs_point(tr);
    if (point) schedule_point(tr);
    if (stop_) return;
  } else {
    if (in_callback_ && a) hb_.free(a->seq);
    if (a && a->freed && !stop_) {
      checks_.access(current_, Transition{StepKind::kFree, MemAccess::kReadOnce, object, a->size});
    }
  }
  a = shadow_.find(object);
  // A double free (reported as use-after-free) must not release the memory twice.
  if (a && a->freed) return;
  if (a) {
    a->freed = true;
    a->freed_by = current_;
    a->freed_at = now();
    if (in_callback_) {
      a->queued_by = callback_origin_.by;
      a->queued_at = callback_origin_.at;
    }
    if (options_.record_events) {
      Event detail{.kind = EventKind::kFree, .location = a->name(), .point = point};
      detail.source = loc;
      log(current_, "frees " + a->name(), std::move(detail));
    }
  }
  // Programs stay readable (BpfObjects owns them); the flag only records the free.
  // Anything else waits in quarantine until the execution ends.
  if (a && a->kind == Allocation::Kind::kProg) {
    destroy();
  } else {
    shadow_.quarantine(std::move(destroy));
  }
}

void Execution::rcu_read_lock(SourceLoc loc) {
  if (!hooks_live()) return;
  threads_[current_].calls++;
  schedule_point(Transition{StepKind::kRcuLock});
  if (!rcu_.in_section(current_)) {
    threads_[current_].section_start = now();
    threads_[current_].section_start_c = hb_.clock(current_).c[kControlThread];
  }
  rcu_.read_lock(current_);
  if (options_.record_events) {
    log(current_, "rcu_read_lock", {.kind = EventKind::kRcuLock, .source = loc});
  }
}

void Execution::rcu_read_unlock(SourceLoc loc) {
  if (!hooks_live()) return;
  threads_[current_].calls++;
  schedule_point(Transition{StepKind::kRcuUnlock});
  if (!rcu_.read_unlock(current_)) {
    verdicts_.violate("rcu", current_, "rcu_read_unlock without a matching rcu_read_lock");
    stop_thread();
  }
  if (options_.record_events) {
    log(current_, "rcu_read_unlock", {.kind = EventKind::kRcuUnlock, .source = loc});
  }
}

void Execution::synchronize_rcu(SourceLoc loc) {
  forget_quiet();
  if (!hooks_live()) return;
  threads_[current_].calls++;
  // With no reader able to be in a section, the grace period is over at once.
  if (!options_.all_points && !needs_point(Transition{StepKind::kSyncStart})) {
    if (options_.record_events) {
      log(current_, "synchronize_rcu: no reader can be in a section",
          {.kind = EventKind::kSyncStart, .point = false, .source = loc});
    }
    return;
  }
  schedule_point(Transition{StepKind::kSyncStart});
  ThreadState& self = threads_[current_];
  self.sync_snapshot = rcu_.start_grace_period();
  if (rcu_.in_section(current_)) {
    verdicts_.violate("deadlock", current_, "synchronize_rcu inside a read-side section");
    stop_thread();
  }
  if (options_.record_events) {
    std::string waits;
    for (const auto& [t, s] : self.sync_snapshot) waits += " " + thread_name(t);
    log(current_,
        "synchronize_rcu: grace period starts, waits for" +
            (waits.empty() ? std::string(" nobody") : waits),
        {.kind = EventKind::kSyncStart, .source = loc});
  }
  schedule_point(Transition{StepKind::kSyncWait});
  if (options_.record_events) {
    log(current_, "synchronize_rcu: grace period over",
        {.kind = EventKind::kSyncEnd, .source = loc});
  }
}

void Execution::call_rcu(const void* head, std::function<void()> callback, SourceLoc loc) {
  forget_quiet();
  if (unwinding_) return;
  const Transition tr{StepKind::kCallRcu};
  if (hooks_live()) threads_[current_].calls++;
  const bool point = hooks_live() && (options_.all_points || needs_point(tr));
  if (point) schedule_point(tr);
  if (stop_) return;
  if (Allocation* a = shadow_.find(head)) a->rcu_free_queued = true;
  callback_clocks_.push_back(current_ == kRcuThread ? VectorClock{} : hb_.clock(current_));
  rcu_.call_rcu(std::move(callback), current_, now());
  if (options_.record_events) {
    log(current_, "call_rcu: queues a callback",
        {.kind = EventKind::kCallRcu, .point = point, .source = loc});
  }
}

void Execution::warn(const std::string& what) {
  if (unwinding_ || stop_) return;
  checks_.warn(current_, what);
  if (hooks_live() && stop_) park();
}

void Execution::out_of_bounds(const std::string& what) {
  if (unwinding_ || stop_) return;
  checks_.out_of_bounds(current_, what);
  if (hooks_live()) stop_thread();
}

// ---- threads ---------------------------------------------------------------------

void Execution::control_body() {
  const auto& steps = workload_.scenario.steps;
  for (std::size_t k = 0; k < steps.size(); k++) {
    progress_.begun = k + 1;
    checks_.step_begin(k);
    if (options_.record_events) {
      log(kControlThread, "begins step " + std::to_string(k + 1) + ": " + step_op_name(steps[k].op),
          {.kind = EventKind::kStepBegin, .index = k + 1});
    }
    StepReport& report = scratch_->report;
    try {
      // The checks read only the result (observed.expect) of what the step observed.
      session_->step(steps[k], report, ScenarioSession::Observed::kResults);
    } catch (const ScenarioError& e) {
      result_.status = ExecutionResult::Status::kBadWorkload;
      result_.error = e.what();
      stop_ = true;
      park();
    }
    progress_.ended = k + 1;
    forget_quiet();  // the readers may start now
    if (options_.record_events) {
      log(kControlThread, "ends " + report.line + " | " + target_->entries(),
          {.kind = EventKind::kStepEnd, .index = k + 1});
    }
    if (options_.collect_outcome) {
      result_.observed.emplace_back(now(), "C step " + std::to_string(k + 1) + ": " + report.line);
    }
    if (!stop_) checks_.step_end(k, steps[k], report);
    if (stop_) park();
  }
}

void Execution::reader_body(ThreadId id) {
  for (std::uint32_t pass = 1; pass <= workload_.passes; pass++) {
    if (options_.record_events) {
      log(id, "pass " + std::to_string(pass) + " begins",
          {.kind = EventKind::kPassBegin, .index = pass});
    }
    std::vector<u32>& ran = scratch_->ran[id];
    target_->api().run_into(ran);
    // The pass is over: the entries it loaded are no longer this reader's to read.
    for (Hold& h : holds_) {
      if (h.reader == id && !h.end_po) h.end_po = hb_.clock(id).c[hb_.slot_of(id)];
    }
    threads_[id].pass_read = 0;
    // The pass runs from its outermost rcu_read_lock to now (its last unlock).
    const std::uint64_t start = threads_[id].section_start;
    const std::uint64_t end = now();
    if (options_.record_events) {
      log(id, "pass " + std::to_string(pass) + " saw " + list_text(ran),
          {.kind = EventKind::kPassEnd, .index = pass});
    }
    if (options_.collect_outcome) {
      result_.observed.emplace_back(
          now(), thread_name(id) + " pass " + std::to_string(pass) + " saw " + list_text(ran));
    }
    ThreadState& self = threads_[id];
    if (!stop_) {
      checks_.pass_end({id, pass, ran, self.pass_loaded ? self.pass_load_c : self.section_start_c,
                        hb_.clock(id).c[kControlThread], start, end});
    }
    self.pass_loaded = false;
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
