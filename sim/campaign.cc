// SPDX-License-Identifier: GPL-2.0
#include "sim/campaign.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "sim/dpor_strategy.h"

namespace mprogsim::sim {
namespace {

constexpr std::uint64_t kUnbounded = ~std::uint64_t{0};
constexpr std::size_t kMaxAhead = 1024;  // finished workloads waiting to be merged

// The execution that met `name` first, again under its own schedule, with every
// finding but this one still allowed: it stops at the finding, as a violation.
ExecutionResult rerun_until(const Workload& workload, const Reference& reference,
                            const ExecutionResult& met, const std::string& name,
                            const FindingPolicy& allowed) {
  std::vector<std::string> others;
  for (const KnownFinding& f : known_findings()) {
    if (f.name != name && allowed.allows(f.name)) others.emplace_back(f.name);
  }
  std::string ignored;
  const FindingPolicy policy =
      others.empty() ? FindingPolicy::none() : *FindingPolicy::parse(others, &ignored);
  ReplayStrategy strategy(met.schedule);
  strategy.begin_execution(0);
  ExecutionOptions options;
  options.allowed_findings = &policy;
  return run_execution(workload, reference, strategy, options);
}

// "bpf_mprog_bundle#1.b.fp_items[12]" -> "bpf_mprog_bundle.fp_items[]": the field,
// not the instance, the entry (a or b) or the slot.
std::string normalize(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); i++) {
    const char c = text[i];
    if (c == '#') {  // an instance number
      while (i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]))) i++;
      continue;
    }
    if ((c == 'a' || c == 'b') && !out.empty() && out.back() == '.' && i + 1 < text.size() &&
        text[i + 1] == '.') {
      i++;  // ".a." / ".b.": either entry of the bundle
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (out.empty() || !std::isdigit(static_cast<unsigned char>(out.back()))) out += 'N';
      while (i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]))) i++;
      continue;
    }
    out += c;
  }
  return out;
}

std::string evidence_of(const Violation& v, const std::string& key) {
  for (const auto& [k, value] : v.evidence) {
    if (k == key) return value;
  }
  return "";
}

// What one workload's executions produced, before it is merged into the campaign.
struct WorkloadRun {
  std::uint64_t w = 0;
  Workload workload;
  std::uint64_t runs = 0;  // executions begun (those cut by sleep sets included)
  std::uint64_t executions = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t cached_cuts = 0;  // dpor: stopped at a state explored before
  std::uint64_t steps = 0;
  bool tree_done = false;
  bool strategy_done = false;  // begin_execution said nothing is left
  std::uint64_t anomalies = 0;
  bool stopped_by_time = false;
  bool interrupted = false;
  std::string error;
  struct Group {
    std::string property, location;
    std::uint64_t count = 0;
    std::uint64_t first = 0;  // index within the workload
    ExecutionResult result;
  };
  std::vector<Group> violations;  // in the order first met
  struct Finding {
    std::string name;
    std::uint64_t count = 0;
    std::uint64_t first = 0;
    ExecutionResult result;  // the execution that met it first (allowed, ran on)
  };
  std::vector<Finding> findings;
  DistinctStates states;
};

// Counts the known findings execution `k` of `run` met, each once per execution,
// keeping the first execution that met each (the merge re-runs it to stop there).
void note_findings(WorkloadRun& run, const ExecutionResult& r, std::uint64_t k) {
  std::set<std::string> met_here;
  for (const Violation& f : r.findings) {
    if (!met_here.insert(f.finding).second) continue;
    auto it = std::find_if(run.findings.begin(), run.findings.end(),
                           [&](const WorkloadRun::Finding& m) { return m.name == f.finding; });
    if (it == run.findings.end()) {
      run.findings.push_back({f.finding, 0, k, r});
      it = run.findings.end() - 1;
    }
    it->count++;
  }
}

// Counts execution `k`'s violation in its group (property and location), keeping
// the group's first execution, the one its trace is written from.
void note_violation(WorkloadRun& run, ExecutionResult r, std::uint64_t k) {
  const std::string location = violation_location(*r.violation, run.workload);
  auto it =
      std::find_if(run.violations.begin(), run.violations.end(), [&](const WorkloadRun::Group& g) {
        return g.property == r.violation->property && g.location == location;
      });
  if (it == run.violations.end()) {
    const std::string property = r.violation->property;
    run.violations.push_back({property, location, 0, k, std::move(r)});
    it = run.violations.end() - 1;
  }
  it->count++;
}

class Campaign {
 public:
  Campaign(const CampaignOptions& options, const std::function<void(const Progress&)>& progress)
      : o_(options),
        progress_(progress),
        exhaustive_(exhaustive_strategy(options.strategy.kind)),
        workload_rng_(options.strategy.seed ^ 0x3c6ef372fe94f82bULL),
        started_(std::chrono::steady_clock::now()) {}

  CampaignResult run();

 private:
  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }
  bool out_of_time() const { return o_.time_budget_s > 0 && elapsed() >= o_.time_budget_s; }
  bool interrupted() const { return o_.interrupt && o_.interrupt->load(); }
  // The next workload of this shard, or nullopt when there is none (or the
  // campaign's execution budget is spent by the workloads handed out before it).
  // Called with draw_mutex_ held.
  [[nodiscard]] std::optional<std::pair<std::uint64_t, Workload>> next_workload();
  // How many executions workload `w` may run at most, seen from its start.
  std::uint64_t cap_of(std::uint64_t w) const {
    if (exhaustive_) return kUnbounded;  // the commit cuts it to the budget
    const std::uint64_t first = w * o_.schedules_per_workload;
    return std::min<std::uint64_t>(o_.schedules_per_workload, o_.executions - first);
  }
  [[nodiscard]] WorkloadRun run_workload(std::uint64_t w, Workload workload,
                                         std::uint64_t cap) const;
  // Merges the next run in workload order; false when the campaign ends with it.
  [[nodiscard]] bool commit(WorkloadRun run);
  // dfs, dpor: a run that went past the execution budget is run again, cut at the
  // budget (so the result does not depend on jobs or shards); false on an error.
  [[nodiscard]] bool cut_to_budget(WorkloadRun& run) const;
  // The run's counts into the result.
  void add_counts(const WorkloadRun& run);
  // The run's known findings and violation groups into the result's, first
  // occurrences numbered from `index_base`; merge_violations says whether it had one.
  void merge_findings(const WorkloadRun& run, std::uint64_t index_base);
  [[nodiscard]] bool merge_violations(WorkloadRun& run, std::uint64_t index_base);
  // Whether the campaign ends with this run (a violation under stop_at_first, time,
  // an interrupt, a fixed workload explored, the budget spent), saying why.
  [[nodiscard]] bool ends_with(const WorkloadRun& run, bool violated);
  // The progress callback, at most every quarter second.
  void report_progress();
  void worker();

  const CampaignOptions& o_;
  const std::function<void(const Progress&)>& progress_;
  const bool exhaustive_;
  Rng workload_rng_;
  const std::chrono::steady_clock::time_point started_;

  // Two locks, so that one worker draws the next workload (drawing resolves its steps
  // against the spec: about a seventh of a random campaign's work, and sequential,
  // since each workload continues the one random stream) while another merges what
  // it finished: draw_mutex_ guards the source (drawn_, source_done_, workload_rng_),
  // mutex_ the rest.
  std::mutex draw_mutex_;
  std::uint64_t drawn_ = 0;   // workloads drawn or taken from the source
  bool source_done_ = false;  // the source has none left
  std::mutex mutex_;
  std::condition_variable changed_;
  std::atomic<bool> stop_ = false;             // no new workload is handed out
  std::map<std::uint64_t, WorkloadRun> done_;  // finished, not yet merged
  std::uint64_t next_commit_ = 0;              // the next workload to merge
  std::uint64_t runs_committed_ = 0;           // executions begun by merged workloads
  bool ended_ = false;
  bool unfinished_seen_ = false;
  CampaignResult result_;
  double next_report_ = 0.25;
};

std::optional<std::pair<std::uint64_t, Workload>> Campaign::next_workload() {
  for (;;) {
    if (stop_ || source_done_) return std::nullopt;
    // Random and PCT: the budget decides how many workloads there are.
    if (!exhaustive_ && drawn_ * o_.schedules_per_workload >= o_.executions) return std::nullopt;
    const std::uint64_t w = drawn_;
    Workload workload;
    if (o_.source) {
      std::optional<Workload> next = o_.source();
      if (!next) {
        source_done_ = true;
        return std::nullopt;
      }
      workload = std::move(*next);
    } else if (o_.workload) {
      // A fixed workload: dfs and dpor explore it once; random and PCT run it in
      // rounds of schedules_per_workload.
      if (exhaustive_ && w > 0) {
        source_done_ = true;
        return std::nullopt;
      }
      workload = *o_.workload;
    } else {
      workload = draw_workload(workload_rng_, o_.shape);
    }
    drawn_++;
    if (w % o_.shard_count != o_.shard_index) continue;
    return std::pair{w, std::move(workload)};
  }
}

WorkloadRun Campaign::run_workload(std::uint64_t w, Workload workload, std::uint64_t cap) const {
  WorkloadRun run;
  run.w = w;
  run.workload = std::move(workload);
  const Reference reference = compute_reference(run.workload);
  if (!reference.error.empty()) {
    run.error = "bad workload: " + reference.error;
    return run;
  }
  // A fresh strategy per workload, so that a workload's executions never depend on
  // the workloads before it (PCT learns the number of steps from its own runs).
  std::unique_ptr<Strategy> strategy = make_strategy(o_.strategy);
  ExecutionOptions execution_options;
  execution_options.allowed_findings = &o_.allowed_findings;
  const std::uint64_t first_index = exhaustive_ ? 0 : w * o_.schedules_per_workload;
  for (std::uint64_t k = 0; k < cap; k++) {
    if (!strategy->begin_execution(first_index + k)) {
      run.strategy_done = true;
      break;
    }
    ExecutionResult r =
        run_execution(run.workload, reference, *strategy, execution_options, &run.states);
    run.runs++;
    note_findings(run, r, k);
    run.steps += r.schedule.size();
    const auto* dpor = dynamic_cast<const DporStrategy*>(strategy.get());
    if (r.status == ExecutionResult::Status::kAbandoned && dpor && dpor->cut_at()) {
      run.cached_cuts++;
    } else if (r.status == ExecutionResult::Status::kAbandoned) {
      run.abandoned++;
    } else {
      run.executions++;
    }
    if (r.status == ExecutionResult::Status::kBadWorkload ||
        r.status == ExecutionResult::Status::kBadSchedule) {
      run.error = r.error;
      break;
    }
    if (r.status == ExecutionResult::Status::kViolation) {
      note_violation(run, std::move(r), k);
      // The first violation ends the campaign; otherwise, under dfs and dpor, the
      // workload (its tree is not explored past a violation), and random and PCT
      // go on with the next schedule.
      if (o_.stop_at_first || exhaustive_) break;
      continue;
    }
    if (exhaustive_ && strategy->exhausted()) {
      run.tree_done = true;
      if (dpor) run.anomalies = dpor->anomalies();
      break;
    }
    if (interrupted()) {
      run.interrupted = true;
      break;
    }
    if (out_of_time()) {
      run.stopped_by_time = true;
      break;
    }
  }
  return run;
}

bool Campaign::commit(WorkloadRun run) {
  if (!run.error.empty() || !cut_to_budget(run)) {
    result_.error = run.error;
    return false;
  }
  // Campaign indexes: random and PCT number executions by workload (w * schedules
  // + k, the same in every shard); dfs and dpor count this run's own executions.
  const std::uint64_t index_base =
      exhaustive_ ? runs_committed_ : run.w * o_.schedules_per_workload;
  add_counts(run);
  merge_findings(run, index_base);
  const bool violated = merge_violations(run, index_base);
  if (ends_with(run, violated)) return false;
  report_progress();
  return true;
}

bool Campaign::cut_to_budget(WorkloadRun& run) const {
  // Past the execution budget (dfs, dpor: a workload's size is known only once run):
  // run it again, cut where the unsharded sequential campaign would have cut it.
  const std::uint64_t budget_left = o_.executions - std::min(o_.executions, runs_committed_);
  if (exhaustive_ && run.runs > budget_left) {
    run = run_workload(run.w, std::move(run.workload), budget_left);
  }
  return run.error.empty();
}

void Campaign::add_counts(const WorkloadRun& run) {
  CampaignResult& r = result_;
  r.workloads++;
  r.executions += run.executions;
  r.abandoned += run.abandoned;
  r.cached_cuts += run.cached_cuts;
  r.steps += run.steps;
  r.states.merge(run.states);
  runs_committed_ += run.runs;
  if (run.tree_done) {
    r.workloads_exhausted++;
    r.dpor_anomalies += run.anomalies;
  } else if (!unfinished_seen_) {
    unfinished_seen_ = true;
    r.first_unfinished_workload = run.w;
  }
}

void Campaign::merge_findings(const WorkloadRun& run, std::uint64_t index_base) {
  std::vector<FindingMet>& met = result_.findings;
  for (const WorkloadRun::Finding& f : run.findings) {
    auto it =
        std::find_if(met.begin(), met.end(), [&](const FindingMet& m) { return m.name == f.name; });
    if (it == met.end()) {
      // The first occurrence, re-executed to stop at the finding, so that its trace
      // replays to it (the run that met it went on past it).
      FindingMet m;
      m.name = f.name;
      m.first_execution = index_base + f.first;
      m.first_id = {run.w, f.first};
      m.workload = run.workload;
      m.first = rerun_until(run.workload, compute_reference(run.workload), f.result, f.name,
                            o_.allowed_findings);
      met.push_back(std::move(m));
      it = met.end() - 1;
    }
    it->executions += f.count;
  }
}

bool Campaign::merge_violations(WorkloadRun& run, std::uint64_t index_base) {
  CampaignResult& r = result_;
  for (WorkloadRun::Group& g : run.violations) {
    auto it = std::find_if(r.violations.begin(), r.violations.end(), [&](const ViolationGroup& v) {
      return v.property == g.property && v.location == g.location;
    });
    if (it == r.violations.end()) {
      ViolationGroup v;
      v.property = g.property;
      v.location = g.location;
      v.first_id = {run.w, g.first};
      v.first_execution = index_base + g.first;
      v.workload = run.workload;
      v.first = std::move(g.result);
      r.violations.push_back(std::move(v));
      it = r.violations.end() - 1;
    }
    it->executions += g.count;
  }
  const bool violated = !run.violations.empty();
  // The campaign's failure is the first group's first execution, in workload order.
  if (violated && !r.failure) {
    const ViolationGroup& first = r.violations.front();
    r.failure = first.first;
    r.failing_workload = first.workload;
    r.failing_execution = first.first_execution;
  }
  return violated;
}

bool Campaign::ends_with(const WorkloadRun& run, bool violated) {
  CampaignResult& r = result_;
  if (violated && o_.stop_at_first) return true;
  if (run.stopped_by_time) {
    r.stopped_by_time = true;
    return true;
  }
  if (run.interrupted) {
    r.interrupted = true;
    return true;
  }
  if (o_.workload && exhaustive_ && run.tree_done) {  // a fixed workload explored to the end
    r.source_exhausted = true;
    return true;
  }
  return exhaustive_ && runs_committed_ >= o_.executions;  // the budget is spent
}

void Campaign::report_progress() {
  if (!progress_) return;
  const double t = elapsed();
  if (t < next_report_) return;
  next_report_ = t + 0.25;
  const CampaignResult& r = result_;
  progress_({r.executions, r.steps, 0, r.states.estimate(), t, r.workloads});
}

void Campaign::worker() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // Bounded look-ahead: finished runs wait for the slowest one before them, so
    // that a long workload does not let the others pile up in memory.
    changed_.wait(lock, [this] { return ended_ || done_.size() < kMaxAhead; });
    if (interrupted() || out_of_time()) stop_ = true;
    lock.unlock();
    std::optional<std::pair<std::uint64_t, Workload>> next;
    {
      std::lock_guard draw(draw_mutex_);
      next = next_workload();
    }
    if (!next) {
      lock.lock();
      break;
    }
    const std::uint64_t w = next->first;
    WorkloadRun run = run_workload(w, std::move(next->second), cap_of(w));
    lock.lock();
    done_.emplace(w, std::move(run));
    // Merge what is ready, in workload order.
    while (!ended_ && !done_.empty() && done_.begin()->first == next_commit_) {
      WorkloadRun ready = std::move(done_.begin()->second);
      done_.erase(done_.begin());
      next_commit_ = ready.w + 1;
      // Skip the numbers of other shards' workloads.
      while (next_commit_ % o_.shard_count != o_.shard_index) next_commit_++;
      if (!commit(std::move(ready))) {
        ended_ = true;
        stop_ = true;
      }
    }
    changed_.notify_all();
    if (ended_) break;
  }
  changed_.notify_all();
}

CampaignResult Campaign::run() {
  next_commit_ = o_.shard_index;
  const unsigned jobs = std::max(1U, o_.jobs);
  if (jobs == 1) {
    worker();
  } else {
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < jobs; i++) threads.emplace_back([this] { worker(); });
    for (std::thread& t : threads) t.join();
  }
  // Workloads handed out after the campaign ended are not part of the result.
  done_.clear();
  if (!ended_ && !stop_ && o_.source) {
    // Every workload was run and merged: the source is spent when it said so.
    result_.source_exhausted = result_.source_exhausted || source_done_;
  }
  if (!ended_ && stop_) {
    if (interrupted()) result_.interrupted = true;
    if (out_of_time()) result_.stopped_by_time = true;
  }
  // The last workload of a source was finished just as the execution budget ran out.
  if (o_.source && !result_.source_exhausted && result_.error.empty() && !result_.failure &&
      !result_.stopped_by_time && !result_.interrupted && exhaustive_ &&
      runs_committed_ >= o_.executions && result_.workloads_exhausted == result_.workloads) {
    std::lock_guard draw(draw_mutex_);
    result_.source_exhausted = !next_workload();
  }
  if (!unfinished_seen_) result_.first_unfinished_workload = drawn_;
  result_.distinct_states = result_.states.estimate();
  return std::move(result_);
}

}  // namespace

std::string violation_location(const Violation& v, const Workload& workload) {
  if (!v.finding.empty()) return "known finding " + v.finding;
  std::string where = evidence_of(v, "location");
  if (!where.empty()) return evidence_of(v, "access") + " " + normalize(where);
  if (v.property == "spec" || v.property == "revision") {
    // "step N ...": the operation that went wrong.
    std::size_t n = 0;
    if (std::sscanf(v.message.c_str(), "step %zu", &n) == 1 && n >= 1 &&
        n <= workload.scenario.steps.size()) {
      return step_op_name(workload.scenario.steps[n - 1].op);
    }
  }
  if (v.property == "snapshot") return "reader pass";
  const std::string access = evidence_of(v, "access");
  return normalize(access.empty() ? v.message : access);
}

bool exhaustive_strategy(const std::string& kind) { return kind == "dfs" || kind == "dpor"; }

CampaignResult run_campaign(const CampaignOptions& options,
                            const std::function<void(const Progress&)>& progress) {
  if (options.shard_count == 0 || options.shard_index >= options.shard_count) {
    CampaignResult bad;
    bad.error = "bad shard";
    return bad;
  }
  Campaign campaign(options, progress);
  return campaign.run();
}

}  // namespace mprogsim::sim
