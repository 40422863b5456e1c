// SPDX-License-Identifier: GPL-2.0
// `mprogsim check --sequential`: a seeded campaign of long random operation
// sequences run on the faithful model and the spec side by side, with the
// invariants checked after every step (properties/differential.h). No readers, no
// interleavings: cheap, and it reaches states (63 programs, wrap-around) the
// simulator's short workloads do not.
//
// Known findings (v2's F1-F4, docs/semantics.md) are invariants the seed's code
// breaks. Those the options allow are counted and named in the summary, and the
// first sequence that meets each is shrunk and written as a scenario; any other
// failure ends the campaign. Exit 0: no violation; 1: one found (its scenario
// written under --out).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "common/rng.h"
#include "model/mutants.h"
#include "properties/differential.h"
#include "properties/invariants.h"
#include "scenario/scenario_runner.h"
#include "sim/workload.h"
#include "tools/check_options.h"
#include "tools/cli_checks.h"
#include "traces/atomic_file.h"
#include "traces/trace.h"
#include "traces/trace_replay.h"

namespace mprogsim::tools {
namespace {

// The project's PRNG with raw draws only (no std distributions): the same seed gives
// the same actions on every platform.
Action draw_action(Rng& rng) {
  Action a;
  a.kind = weighted_item(kActionWeights, rng.below(total_weight(kActionWeights)));
  const u64 r = rng.next();
  a.prog = static_cast<u32>(r % 1024);
  a.other = static_cast<u32>((r >> 10) % 1024);
  a.flags = (r >> 20) % 3 == 0 ? 0 : ((r >> 22) % 2 ? 1U << ((r >> 24) % 7) : (r >> 27) % 128);
  a.relative = static_cast<u32>((r >> 34) % 4);
  a.relative_pick = static_cast<u32>((r >> 36) % 1024);
  a.by_id = (r >> 46) & 1;
  const u32 rev = static_cast<u32>((r >> 47) % 18);
  a.revision = rev < 12 ? 0 : rev < 15 ? 1 : rev - 13;
  a.count = static_cast<u32>((r >> 52) % 64);
  return a;
}

// The replay command must show the violation, not pass: say what it shows, found by
// running the written scenario on the same model (with the same mutant).
std::string what_replay_shows(const Scenario& scenario, Mutant mutant) {
  try {
    auto model = make_system(scenario.semantics, mutant);
    const ScenarioReport report = run_scenario(scenario, *model);
    for (const StepReport& step : report.steps) {
      if (!step.violations.empty()) {
        return "(it shows a VIOLATION at step " + std::to_string(step.index) + ": " +
               step.violations.front() + ")";
      }
      if (!step.mismatches.empty()) {
        return "(it shows a MISMATCH at step " + std::to_string(step.index) + ": " +
               step.mismatches.front() + ")";
      }
    }
    for (const StepReport& step : report.steps) {
      if (!step.warnings.empty()) {
        return "(every expectation holds; step " + std::to_string(step.index) +
               " prints the kernel warning: " + step.warnings.front() + ")";
      }
    }
  } catch (const ScenarioError& e) {
    return std::string("(internal bug: the written scenario is a bad file: ") + e.what() + ")";
  }
  return "(every expectation holds: the violation is in model state a scenario cannot "
         "observe; the steps lead to it)";
}

u64 draw_initial_revision(Rng& rng) {
  constexpr std::array<u64, 16> kChoices = {
      1, 1, 1,          1,          1,          1,          1,          1,
      1, 1, 0xfffffffe, 0xfffffffe, 0x7ffffffe, 0x7ffffffe, 0xfffffff0, 0x80000000};
  return kChoices[rng.below(kChoices.size())];
}

// Every known finding of the variant except `keep`: the run fails at `keep` only.
std::set<std::string> all_findings_but(const std::string& keep) {
  std::set<std::string> out;
  for (const sim::KnownFinding& f : sim::known_findings()) {
    if (f.name != keep) out.insert(std::string(f.name));
  }
  return out;
}

// A shorter action list (dropping one action at a time, and halving a batch of
// attaches, as long as a change keeps it) on which the run still fails at finding
// `name` alone. Actions pick objects modulo what exists, so every sublist is a valid
// sequence.
properties::DifferentialResult shrink_to_finding(std::vector<Action> actions,
                                                 properties::DifferentialOptions options,
                                                 const std::string& name) {
  options.tolerated_findings = all_findings_but(name);
  properties::DifferentialResult best = properties::run_differential(actions, options);
  auto keeps = [&](const std::vector<Action>& candidate) {
    auto r = properties::run_differential(candidate, options);
    if (r.ok || !r.findings.count(name)) return false;
    best = std::move(r);
    return true;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < actions.size() && !changed; i++) {
      auto candidate = actions;
      candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(i));
      if (keeps(candidate)) {
        actions = std::move(candidate);
        changed = true;
      }
    }
    for (std::size_t i = 0; i < actions.size() && !changed; i++) {
      if (actions[i].kind != ActionKind::kAttachMany || actions[i].count < 2) continue;
      auto candidate = actions;
      candidate[i].count /= 2;
      if (keeps(candidate)) {
        actions = std::move(candidate);
        changed = true;
      }
    }
  }
  return best;
}

// What groups sequential violations: the failure's first line with its numbers
// left out.
std::string failure_kind(const std::string& failure) {
  // The first line says what failed where ("model and spec differ on query:", an
  // invariant's name); the lines after it hold the values.
  const std::size_t begin = failure.find_first_not_of('\n');
  const std::string head =
      begin == std::string::npos ? "" : failure.substr(begin, failure.find('\n', begin) - begin);
  std::string out;
  for (std::size_t i = 0; i < head.size(); i++) {
    const char c = head[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (out.empty() || out.back() != 'N') out += 'N';
      continue;
    }
    out += c;
  }
  return out.substr(0, 160);
}

// A shorter action list on which the run still fails with the same kind of failure.
properties::DifferentialResult shrink_failure(std::vector<Action> actions,
                                              const properties::DifferentialOptions& options,
                                              const std::string& kind) {
  properties::DifferentialResult best = properties::run_differential(actions, options);
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < actions.size() && !changed; i++) {
      auto candidate = actions;
      candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(i));
      auto r = properties::run_differential(candidate, options);
      if (!r.ok && failure_kind(r.failure) == kind) {
        best = std::move(r);
        actions = std::move(candidate);
        changed = true;
      }
    }
  }
  return best;
}

// The scenario as a reader-free simulator trace, when the simulator sees the same
// violation on it (spec, revision, references, static keys: what it checks at
// every step), so that `mprogsim shrink` and `replay` accept it. nullopt when the
// violation is in state only the sequential invariants look at.
std::optional<Trace> as_trace(const Scenario& scenario, Mutant mutant, u64 seed, u64 e) {
  sim::Workload w;
  w.scenario = scenario;
  w.readers = 0;
  w.passes = 1;
  w.mutant = mutant;
  const sim::Reference reference = sim::compute_reference(w);
  if (!reference.error.empty()) return std::nullopt;
  sim::ReplayStrategy strategy({});
  strategy.begin_execution(0);
  const sim::ExecutionResult r =
      sim::run_execution(w, reference, strategy, sim::ExecutionOptions{});
  if (r.status != sim::ExecutionResult::Status::kViolation) return std::nullopt;
  return sim::trace_of(w, r, TraceOrigin{"sequential", seed, 0, 0, e});
}

// One drawn sequence and what running it gave.
struct Sequence {
  u64 index = 0;
  std::vector<Action> actions;
  properties::DifferentialOptions options;
  properties::DifferentialResult result;
};

// Runs `batch` on `jobs` threads (each sequence is independent: the actions were
// drawn in order beforehand, and each system carries its own mutant).
void run_batch(std::vector<Sequence>& batch, unsigned jobs) {
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < batch.size();) {
      batch[i].result = properties::run_differential(batch[i].actions, batch[i].options);
    }
  };
  if (jobs <= 1 || batch.size() < 2) {
    work();
    return;
  }
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < jobs; j++) threads.emplace_back(work);
  for (std::thread& t : threads) t.join();
}

// The campaign: sequences drawn in order, run in batches, each violation and the
// first meeting of each known finding written, then the summary.
class SequentialCampaign {
 public:
  SequentialCampaign(const SequentialCheckOptions& options, SequentialOutcome& out)
      : o_(options),
        out_(out),
        variant_(variant_info(options.semantics).name),
        rng_(options.seed) {}

  int run() {
    print_header();
    const auto started = std::chrono::steady_clock::now();
    // Sequences are drawn in order (one generator) and run in batches on the jobs'
    // threads; each batch is then taken in order, so the output does not depend on
    // --jobs. A shard runs the sequences e with e % count == index.
    const std::size_t batch_size = 64 * std::max(1U, o_.control.jobs);
    bool stop = false;
    for (u64 e = 0; e < o_.executions && !stop;) {
      if (o_.time_budget_s > 0 &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() >=
              o_.time_budget_s) {
        out_.stopped_by_time = true;
        break;
      }
      if (o_.control.interrupt && o_.control.interrupt->load()) {
        out_.interrupted = true;
        break;
      }
      std::vector<Sequence> batch = draw_batch(&e, batch_size);
      run_batch(batch, o_.control.jobs);
      for (const Sequence& q : batch) {
        out_.sequences++;
        if (!take_findings(q)) return out_.exit = 2;  // the run could not deliver what it found
        if (!q.result.ok) {
          if (!report_violation(q)) return out_.exit = 2;
          if (o_.control.stop_at_first) {
            stop = true;
            break;
          }
        }
      }
    }
    print_findings(out_.findings, "sequence");
    if (o_.control.results) fill_results(*o_.control.results);
    return summarize();
  }

 private:
  struct Group {
    std::string kind;
    u64 count = 0;
  };

  void print_header() const {
    if (o_.header) std::cout << "SEED=" << o_.seed << " semantics=" << variant_ << " ";
    std::cout << "mode=sequential";
    if (o_.control.shard_count > 1) {
      std::cout << " shard=" << o_.control.shard_index + 1 << "/" << o_.control.shard_count;
    }
    if (o_.executions < 1'000'000'000) std::cout << " executions=" << o_.executions;
    std::cout << " ops=" << o_.ops << " mutant=" << mutant_name(o_.mutant)
              << " allow-finding=" << o_.allowed.describe();
    if (o_.time_budget_s > 0) {
      char budget[32];
      std::snprintf(budget, sizeof(budget), "%.1f", o_.time_budget_s);
      std::cout << " time-budget=" << budget << "s";
    }
    std::cout << "\n";
  }

  // The next sequences of this shard, up to `batch_size`, drawn from sequence *e on
  // (every sequence is drawn, so that a shard's draws match the unsharded run's).
  std::vector<Sequence> draw_batch(u64* e, std::size_t batch_size) {
    std::vector<Sequence> batch;
    for (; *e < o_.executions && batch.size() < batch_size; ++*e) {
      Sequence q;
      q.index = *e;
      q.options.initial_revision = draw_initial_revision(rng_);
      q.options.semantics = o_.semantics;
      q.options.mutant = o_.mutant;
      for (const sim::KnownFinding& f : sim::known_findings()) {
        if (o_.allowed.allows(f.name)) q.options.tolerated_findings.insert(std::string(f.name));
      }
      for (u32 i = 0; i < o_.ops; i++) q.actions.push_back(draw_action(rng_));
      if (*e % o_.control.shard_count != o_.control.shard_index) continue;
      batch.push_back(std::move(q));
    }
    return batch;
  }

  std::string stem(const std::string& what, u64 e) const {
    return o_.out + "/" + what + "-" + variant_ + "-" + std::string(mutant_name(o_.mutant)) +
           "-seed" + std::to_string(o_.seed) + "-ops" + std::to_string(o_.ops) + "-exec" +
           std::to_string(e);
  }

  // Never replaces a file: another run (another mutant, say) keeps its scenario.
  // Returns the path written, or empty after printing why it could not be.
  std::string write(const std::string& what, u64 e, const Scenario& scenario) const {
    std::error_code ec;
    std::filesystem::create_directories(o_.out, ec);
    std::string path;
    const std::string error =
        ec ? "--out " + o_.out + ": " + ec.message()
           : write_new_file_atomically(stem(what, e), ".json", write_scenario(scenario), &path);
    if (!error.empty()) {
      print_error("check: could not write the scenario: " + error);
      return "";
    }
    return path;
  }

  // The allowed findings `q` met are counted; the first sequence to meet each is
  // shrunk and written. False after printing why one could not be written.
  bool take_findings(const Sequence& q) {
    for (const auto& name : q.result.findings) {
      if (!q.options.tolerated_findings.count(name)) continue;  // it failed the run
      auto it = reported_.find(name);
      if (it == reported_.end()) {
        FindingReport f;
        f.name = name;
        f.first = q.index;
        const auto shrunk = shrink_to_finding(q.actions, q.options, name);
        f.what = shrunk.failure;
        Scenario scenario = shrunk.counterexample;
        scenario.name = "known finding " + name + " (check --sequential, seed " +
                        std::to_string(o_.seed) + ", sequence " + std::to_string(q.index) +
                        ", shrunk): " + shrunk.failure;
        f.trace = write("finding-" + name, q.index, scenario);
        if (f.trace.empty()) return false;
        it = reported_.emplace(name, out_.findings.size()).first;
        out_.findings.push_back(std::move(f));
      }
      out_.findings[it->second].count++;
    }
    return true;
  }

  // A failing sequence: counted in its group; the first of a group is shrunk,
  // printed and written (as a scenario, and as a trace when the simulator sees it).
  // False after printing why a file could not be written.
  bool report_violation(const Sequence& q) {
    const std::string kind = failure_kind(q.result.failure);
    auto it = std::find_if(groups_.begin(), groups_.end(),
                           [&](const Group& g) { return g.kind == kind; });
    if (it != groups_.end()) {
      it->count++;
      return true;
    }
    groups_.push_back({kind, 1});
    const properties::DifferentialResult shown =
        o_.control.shrink ? shrink_failure(q.actions, q.options, kind) : q.result;
    std::cout << "VIOLATION in execution " << q.index << ": " << shown.failure << "\n";
    for (const auto& name : q.result.findings) {
      if (!q.options.tolerated_findings.count(name)) print_finding_not_allowed(name);
    }
    const std::string path = write("check", q.index, shown.counterexample);
    if (path.empty()) return false;
    const std::string mutant_option =
        o_.mutant == Mutant::kNone ? "" : " --mutant " + std::string(mutant_name(o_.mutant));
    std::cout << "scenario (" << (o_.control.shrink ? "shrunk" : "unshrunk")
              << ", expectations are the spec's answers): " << path
              << "\nreplay it: mprogsim replay " << path << mutant_option << "\n"
              << "  " << what_replay_shows(shown.counterexample, o_.mutant) << "\n";
    std::string trace_path;
    if (!write_trace_of(shown, q.index, &trace_path)) return false;
    if (o_.control.results) {
      Occurrence x;
      x.phase = o_.phase;
      x.property = "spec-and-invariants";
      x.location = kind;
      x.count = 0;  // counted at the end
      x.workload = q.index;
      x.message = shown.failure;
      x.trace = std::filesystem::path(trace_path.empty() ? path : trace_path).filename().string();
      x.shrunk = o_.control.shrink;
      o_.control.results->violations.push_back(std::move(x));
    }
    return true;
  }

  // The violation as a reader-free trace, written and announced when the simulator
  // sees it (`trace_path` stays empty when not). False after printing why it could
  // not be written.
  bool write_trace_of(const properties::DifferentialResult& shown, u64 index,
                      std::string* trace_path) const {
    const auto trace = as_trace(shown.counterexample, o_.mutant, o_.seed, index);
    if (!trace) return true;
    const std::string error =
        write_new_file_atomically(stem("trace", index), ".json", write_trace(*trace), trace_path);
    if (!error.empty()) {
      print_error("check: could not write the trace: " + error);
      return false;
    }
    std::cout << "trace (the simulator, no readers, sees it as " << trace->outcome->property
              << "): " << *trace_path << "\nshrink or explain it: mprogsim shrink " << *trace_path
              << " -o OUT; mprogsim replay " << *trace_path << " --explain\n";
    return true;
  }

  // The phase, the violation groups' counts and the findings, for --json / --junit.
  void fill_results(CheckResults& results) const {
    PhaseResult p;
    p.name = o_.phase;
    p.strategy = "sequential";
    p.executions = out_.sequences;
    p.stopped_by_time = out_.stopped_by_time;
    p.interrupted = out_.interrupted;
    results.phases.push_back(p);
    results.interrupted = results.interrupted || out_.interrupted;
    for (Occurrence& x : results.violations) {
      for (const Group& g : groups_) {
        if (x.phase == o_.phase && x.location == g.kind) x.count = g.count;
      }
    }
    for (const FindingReport& f : out_.findings) {
      Occurrence x;
      x.phase = o_.phase;
      x.property = f.name;
      x.count = f.count;
      x.workload = f.first;
      x.message = f.what;
      x.trace = std::filesystem::path(f.trace).filename().string();
      results.findings.push_back(std::move(x));
    }
  }

  int summarize() {
    out_.violations = groups_.size();
    const char* stopped = out_.interrupted       ? " (interrupted: the summary so far)"
                          : out_.stopped_by_time ? " (stopped by the time budget)"
                                                 : "";
    if (!groups_.empty()) {
      u64 failing = 0;
      for (const Group& g : groups_) failing += g.count;
      std::cout << groups_.size() << (groups_.size() == 1 ? " violation" : " violations")
                << " (by kind of failure) in " << failing << " of " << out_.sequences
                << " sequences" << (o_.control.stop_at_first ? " (--stop-at-first)" : "") << stopped
                << "\n";
      return out_.exit = out_.interrupted ? 130 : 1;
    }
    std::cout << "no violation in " << out_.sequences << " sequences";
    if (!out_.findings.empty()) {
      std::cout << " other than the known findings allowed:";
      for (const FindingReport& f : out_.findings) std::cout << " " << f.name;
    }
    std::cout << stopped << "\n";
    return out_.exit = out_.interrupted ? 130 : 0;
  }

  const SequentialCheckOptions& o_;
  SequentialOutcome& out_;
  const std::string variant_;
  Rng rng_;
  std::map<std::string, std::size_t> reported_;  // finding -> index in out_.findings
  std::vector<Group> groups_;
};

}  // namespace

int run_sequential_check(const SequentialCheckOptions& options, SequentialOutcome* outcome) {
  SequentialOutcome local;
  return SequentialCampaign(options, outcome ? *outcome : local).run();
}

}  // namespace mprogsim::tools
