// SPDX-License-Identifier: GPL-2.0
#include "traces/shrink.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include "scenario/scenario_runner.h"
#include "traces/trace_replay.h"

namespace mprogsim::sim {

std::string TraceSize::text() const {
  auto plural = [](std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  return plural(control_steps, "control step", "control steps") + ", " +
         plural(readers, "reader", "readers") + " x " + plural(passes, "pass", "passes") +
         ", schedule " + plural(schedule_steps, "step", "steps") + ", " +
         plural(preemptions, "preemption", "preemptions");
}

TraceSize size_of(const Trace& trace, const ExecutionResult& result) {
  std::uint64_t arguments = 0;
  for (const Step& step : trace.scenario.steps) {
    arguments += step.flags.size() + (step.relative.kind != Relative::Kind::kNone ? 1 : 0) +
                 (step.expected_revision != 0 ? 1 : 0);
  }
  return {trace.scenario.steps.size(), trace.readers,         trace.passes, arguments,
          result.preemptions,          result.schedule.size()};
}

namespace {

struct Run {
  std::size_t begin = 0;
  std::size_t end = 0;  // one past the last entry
};

std::vector<Run> runs_of(const std::vector<ThreadId>& schedule) {
  std::vector<Run> runs;
  for (std::size_t i = 0; i < schedule.size();) {
    std::size_t k = i;
    while (k < schedule.size() && schedule[k] == schedule[i]) k++;
    runs.push_back({i, k});
    i = k;
  }
  return runs;
}

bool has_expectations(const Scenario& s) {
  return std::any_of(s.steps.begin(), s.steps.end(), [](const Step& step) {
    return step.expect || step.expect_count || step.expect_revision || step.expect_progs ||
           step.expect_links || step.expect_flags || step.expect_ran || step.expect_refs;
  });
}

// Whether `e` is logged right after its thread performed a scheduling point.
bool after_a_point(const Event& e) {
  if (!e.point) return false;  // run as part of the step before
  switch (e.kind) {
    case EventKind::kAccess:
    case EventKind::kFree:
    case EventKind::kRcuLock:
    case EventKind::kRcuUnlock:
    case EventKind::kSyncStart:
    case EventKind::kSyncEnd:
    case EventKind::kCallRcu:
      return true;
    default:
      return false;
  }
}

// For each control step (or one reader's pass) k, 0-based, the first schedule
// index that belongs to it: the thread's entries from starts[k] up to (not
// including) starts[k+1] performed k. A unit that began at step s began after
// the thread performed entry s, unless the thread had performed no point yet
// (it was still running up to its first one): then it owns everything from 0.
// nullopt: k never began (the run stopped earlier).
std::vector<std::optional<std::uint64_t>> starts_of(const ExecutionResult& r, ThreadId thread,
                                                    EventKind kind, std::size_t count) {
  std::vector<std::optional<std::uint64_t>> starts(count);
  bool performed = false;
  for (const Event& e : r.events) {
    if (e.thread != thread) continue;
    if (after_a_point(e)) performed = true;
    if (e.kind == kind && e.index >= 1 && e.index <= count) {
      starts[e.index - 1] = performed ? e.step + 1 : 0;
    }
  }
  return starts;
}

// Marks `thread`'s entries for its units [lo, hi) (control steps or passes, as
// located by starts_of) in `drop`, which is indexed like `schedule`.
void mark_units(const std::vector<ThreadId>& schedule, ThreadId thread,
                const std::vector<std::optional<std::uint64_t>>& starts, std::size_t lo,
                std::size_t hi, std::vector<bool>* drop) {
  if (lo >= starts.size() || !starts[lo]) return;
  const std::uint64_t from = *starts[lo];
  const std::uint64_t to =
      hi < starts.size() && starts[hi] ? *starts[hi] : std::numeric_limits<std::uint64_t>::max();
  for (std::size_t i = 0; i < schedule.size(); i++) {
    if (schedule[i] == thread && i >= from && i < to) (*drop)[i] = true;
  }
}

std::vector<ThreadId> without(const std::vector<ThreadId>& schedule,
                              const std::vector<bool>& drop) {
  std::vector<ThreadId> out;
  for (std::size_t i = 0; i < schedule.size(); i++) {
    if (!drop[i]) out.push_back(schedule[i]);
  }
  return out;
}

// Renames programs and links after the order they are bound in (the first
// `load` names P1, the first `link_attach` L1), as the model numbers their ids, so
// that "bpf_prog P1" in a report is the program the steps call P1. nullopt when a
// new name would collide with one left alone.
std::optional<Scenario> canonical_names(const Scenario& s) {
  std::map<std::string, std::string> progs, links;
  for (const Step& step : s.steps) {
    if (step.op == StepOp::kLoad && step.prog && !progs.count(*step.prog)) {
      progs[*step.prog] = "P" + std::to_string(progs.size() + 1);
    }
    if (step.link && !links.count(*step.link))
      links[*step.link] = "L" + std::to_string(links.size() + 1);
  }
  bool collision = false;
  auto rename = [&](const std::map<std::string, std::string>& map, const std::string& name) {
    const auto it = map.find(name);
    if (it != map.end()) return it->second;
    for (const auto& [from, to] : map) collision |= to == name;
    return name;
  };
  auto prog = [&](const std::string& name) {
    const bool is_link = links.count(name) && !progs.count(name);
    return is_link ? rename(links, name) : rename(progs, name);
  };
  Scenario out = s;
  for (Step& step : out.steps) {
    if (step.prog) step.prog = prog(*step.prog);
    if (step.old_prog) step.old_prog = prog(*step.old_prog);
    if (step.replace) step.replace = prog(*step.replace);
    if (step.link) step.link = rename(links, *step.link);
    if (step.relative.name) {
      step.relative.name = step.relative.kind == Relative::Kind::kLink
                               ? rename(links, *step.relative.name)
                               : prog(*step.relative.name);
    }
    if (step.expect_progs) {
      for (auto& name : *step.expect_progs) name = prog(name);
    }
    if (step.expect_ran) {
      for (auto& name : *step.expect_ran) name = prog(name);
    }
    if (step.expect_links) {
      for (auto& name : *step.expect_links) {
        if (name) name = rename(links, *name);
      }
    }
    if (step.expect_refs) {
      std::map<std::string, u64> refs;
      for (const auto& [name, count] : *step.expect_refs) refs[prog(name)] = count;
      step.expect_refs = std::move(refs);
    }
  }
  if (collision) return std::nullopt;
  return out;
}

class Shrinker {
 public:
  Shrinker(const Trace& input, const ShrinkOptions& options) : options_(options) {
    cur_ = input;
    property_ = input.outcome->property;
    const ReplayResult first = replay_trace(cur_, true, false);
    cur_result_ = first.execution;
    cur_size_ = size_of(cur_, cur_result_);
  }

  ShrinkResult run() {
    ShrinkResult out;
    out.before = cur_size_;
    const bool had_expectations = has_expectations(cur_.scenario);
    // Expectations are documentation for a concurrency failure, and a removed step
    // changes the answers of later ones: drop them while shrinking, and give the
    // result the spec's answers at the end.
    if (had_expectations) {
      Trace c = cur_;
      for (Step& step : c.scenario.steps) clear_expectations(&step);
      try_keep(std::move(c), true);
    }
    if (cur_.scenario.initial_revision) {
      Trace c = cur_;
      c.scenario.initial_revision.reset();
      try_keep(std::move(c), true);
    }
    for (bool progress = true; progress && !out_of_budget();) {
      progress = false;
      progress |= remove_steps();
      progress |= remove_readers();
      progress |= reduce_passes();
      progress |= simplify_arguments();
      progress |= truncate_schedule();
      progress |= remove_runs();
      progress |= move_runs();
    }
    if (auto renamed = canonical_names(cur_.scenario)) {
      Trace c = cur_;
      c.scenario = std::move(*renamed);
      try_keep(std::move(c), true);
    }
    if (had_expectations && !has_expectations(cur_.scenario)) {
      try {
        Trace c = cur_;
        c.scenario = with_spec_expectations(c.scenario);
        try_keep(std::move(c), true);
      } catch (const ScenarioError&) {
        // Keep the trace without expectations: it still replays.
      }
    }
    out.trace = finish();
    out.after = cur_size_;
    out.candidates = candidates_;
    out.kept = kept_;
    return out;
  }

 private:
  bool out_of_budget() const { return candidates_ >= options_.max_candidates; }

  // Runs `c` leniently and keeps it, with the schedule it executed, if the same
  // property fails and it is smaller (or, for one-off simplifications that do not
  // change the size, no larger).
  bool try_keep(Trace c, bool allow_equal = false) {
    if (out_of_budget()) return false;
    candidates_++;
    ReplayResult r = replay_trace(c, true, true);
    const ExecutionResult& x = r.execution;
    if (x.status != ExecutionResult::Status::kViolation || !x.violation ||
        x.violation->property != property_) {
      return false;
    }
    const TraceSize size = size_of(c, x);
    if (!(size < cur_size_) && !(allow_equal && size <= cur_size_)) return false;
    c.schedule = x.schedule;
    cur_ = std::move(c);
    cur_result_ = std::move(r.execution);
    cur_size_ = size;
    kept_++;
    return true;
  }

  // Removes control steps [lo, hi), first with the control thread's schedule
  // entries for those steps cut out too (the readers keep their place relative to
  // the remaining steps), then with the schedule unchanged.
  bool try_remove_steps(std::size_t lo, std::size_t hi) {
    Trace c = cur_;
    c.scenario.steps.erase(c.scenario.steps.begin() + static_cast<std::ptrdiff_t>(lo),
                           c.scenario.steps.begin() + static_cast<std::ptrdiff_t>(hi));
    // The readers still start after the same remaining steps.
    const std::size_t k = c.start_readers_after;
    c.start_readers_after -= static_cast<std::uint32_t>(std::min(hi, k) - std::min(lo, k));
    const auto begins =
        starts_of(cur_result_, kControlThread, EventKind::kStepBegin, cur_.scenario.steps.size());
    std::vector<bool> drop(cur_.schedule.size());
    mark_units(cur_.schedule, kControlThread, begins, lo, hi, &drop);
    std::vector<ThreadId> projected = without(cur_.schedule, drop);
    if (projected != cur_.schedule) {
      Trace p = c;
      p.schedule = std::move(projected);
      if (try_keep(std::move(p))) return true;
    }
    return try_keep(std::move(c));
  }

  // Delta debugging over the control steps: chunks of half the steps, then a
  // quarter, ..., then single steps. A candidate whose names no longer resolve (a
  // removed `load`) is a bad workload and is rejected like any other.
  bool remove_steps() {
    bool progress = false;
    std::size_t chunk = std::max<std::size_t>(1, cur_.scenario.steps.size() / 2);
    for (;;) {
      for (std::size_t lo = 0; lo < cur_.scenario.steps.size() && !out_of_budget();) {
        const std::size_t hi = std::min(lo + chunk, cur_.scenario.steps.size());
        if (try_remove_steps(lo, hi)) {
          progress = true;  // `lo` now names the steps that followed
        } else {
          lo = hi;
        }
      }
      if (chunk == 1) break;
      chunk /= 2;
    }
    return progress;
  }

  // Drops one reader at a time; the readers above it are renumbered down.
  bool remove_readers() {
    bool progress = false;
    for (std::uint32_t r = cur_.readers; r >= 1; r--) {
      Trace c = cur_;
      c.readers--;
      c.schedule.clear();
      for (const ThreadId t : cur_.schedule) {
        if (t == r) continue;
        c.schedule.push_back(t != kRcuThread && t > r ? static_cast<ThreadId>(t - 1) : t);
      }
      if (c.readers == 0) c.passes = 0;  // passes of no reader mean nothing
      if (try_keep(std::move(c))) progress = true;
    }
    return progress;
  }

  // One pass fewer: every reader's entries for pass k are cut out (the passes
  // after it move up into its place), else the schedule stays and the entries of
  // readers that finish early are skipped by the lenient replay.
  bool reduce_passes() {
    if (cur_.passes <= 1) return false;
    for (std::size_t k = 0; k < cur_.passes; k++) {
      Trace c = cur_;
      c.passes--;
      std::vector<bool> drop(cur_.schedule.size());
      for (ThreadId r = 1; r <= cur_.readers; r++) {
        mark_units(cur_.schedule, r, starts_of(cur_result_, r, EventKind::kPassBegin, cur_.passes),
                   k, k + 1, &drop);
      }
      c.schedule = without(cur_.schedule, drop);
      if (c.schedule != cur_.schedule && try_keep(std::move(c))) return true;
    }
    Trace c = cur_;
    c.passes--;
    return try_keep(std::move(c));
  }

  // Simplifies one step's arguments: one flag fewer, no relative, no expected
  // revision. A candidate that now fails differently (or not at all) is rejected.
  bool simplify_arguments() {
    bool progress = false;
    for (std::size_t i = 0; i < cur_.scenario.steps.size() && !out_of_budget(); i++) {
      for (std::size_t f = 0; f < cur_.scenario.steps[i].flags.size();) {
        Trace c = cur_;
        auto& flags = c.scenario.steps[i].flags;
        flags.erase(flags.begin() + static_cast<std::ptrdiff_t>(f));
        if (try_keep(std::move(c))) {
          progress = true;
        } else {
          f++;
        }
      }
      if (cur_.scenario.steps[i].relative.kind != Relative::Kind::kNone) {
        Trace c = cur_;
        c.scenario.steps[i].relative = {};
        progress |= try_keep(std::move(c));
      }
      if (cur_.scenario.steps[i].expected_revision != 0) {
        Trace c = cur_;
        c.scenario.steps[i].expected_revision = 0;
        progress |= try_keep(std::move(c));
      }
    }
    return progress;
  }

  // Cuts the schedule at the start of a run, so that everything after runs
  // without preemption; the earliest cut that still fails wins.
  bool truncate_schedule() {
    const auto runs = runs_of(cur_.schedule);
    for (std::size_t j = 0; j < runs.size(); j++) {
      Trace c = cur_;
      c.schedule.resize(runs[j].begin);
      if (try_keep(std::move(c))) return true;
    }
    return false;
  }

  // Deletes a whole run: that thread does not run there, the next entries go on.
  bool remove_runs() {
    bool progress = false;
    for (std::size_t j = 0; !out_of_budget();) {
      const auto runs = runs_of(cur_.schedule);
      if (j >= runs.size()) break;
      Trace c = cur_;
      c.schedule.erase(c.schedule.begin() + static_cast<std::ptrdiff_t>(runs[j].begin),
                       c.schedule.begin() + static_cast<std::ptrdiff_t>(runs[j].end));
      if (try_keep(std::move(c))) {
        progress = true;
      } else {
        j++;
      }
    }
    return progress;
  }

  // Moves a run to join the thread's next run (it runs later) or its previous run
  // (it runs earlier): one context switch fewer each time it works.
  bool move_runs() {
    bool progress = false;
    for (std::size_t j = 0; !out_of_budget();) {
      const auto runs = runs_of(cur_.schedule);
      if (j >= runs.size()) break;
      const ThreadId t = cur_.schedule[runs[j].begin];
      const std::vector<ThreadId> block(
          cur_.schedule.begin() + static_cast<std::ptrdiff_t>(runs[j].begin),
          cur_.schedule.begin() + static_cast<std::ptrdiff_t>(runs[j].end));
      std::optional<std::size_t> next, prev;
      for (std::size_t k = j + 1; k < runs.size() && !next; k++) {
        if (cur_.schedule[runs[k].begin] == t) next = k;
      }
      for (std::size_t k = j; k-- > 0 && !prev;) {
        if (cur_.schedule[runs[k].begin] == t) prev = k;
      }
      bool kept = false;
      if (next) {
        Trace c = cur_;
        auto& s = c.schedule;
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(runs[*next].begin), block.begin(),
                 block.end());
        s.erase(s.begin() + static_cast<std::ptrdiff_t>(runs[j].begin),
                s.begin() + static_cast<std::ptrdiff_t>(runs[j].end));
        kept = try_keep(std::move(c));
      }
      if (!kept && prev) {
        Trace c = cur_;
        auto& s = c.schedule;
        s.erase(s.begin() + static_cast<std::ptrdiff_t>(runs[j].begin),
                s.begin() + static_cast<std::ptrdiff_t>(runs[j].end));
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(runs[*prev].end), block.begin(),
                 block.end());
        kept = try_keep(std::move(c));
      }
      if (kept) {
        progress = true;
      } else {
        j++;
      }
    }
    return progress;
  }

  // The kept trace with the outcome of its own execution, which a strict replay
  // reproduces (the schedule is the executed one).
  Trace finish() {
    TraceOrigin origin;
    if (cur_.origin) origin = *cur_.origin;
    origin.strategy = "shrink";
    origin.pct_depth = 0;
    origin.preemption_bound = 0;
    Trace t = trace_of(workload_of(cur_), cur_result_, origin);
    t.scenario.name = cur_.scenario.name;
    return t;
  }

  const ShrinkOptions& options_;
  std::string property_;
  Trace cur_;
  ExecutionResult cur_result_;
  TraceSize cur_size_;
  std::uint64_t candidates_ = 0;
  std::uint64_t kept_ = 0;
};

}  // namespace

ShrinkResult shrink_trace(const Trace& trace, const ShrinkOptions& options) {
  Shrinker shrinker(trace, options);
  return shrinker.run();
}

}  // namespace mprogsim::sim
