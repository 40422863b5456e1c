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

}  // namespace

int run_sequential_check(const SequentialCheckOptions& check_options, SequentialOutcome* outcome) {
  const SequentialCheckOptions* o = &check_options;
  SequentialOutcome local;
  SequentialOutcome& out = outcome ? *outcome : local;
  const std::string variant(variant_info(o->semantics).name);
  if (o->header) std::cout << "SEED=" << o->seed << " semantics=" << variant << " ";
  std::cout << "mode=sequential";
  if (o->control.shard_count > 1) {
    std::cout << " shard=" << o->control.shard_index + 1 << "/" << o->control.shard_count;
  }
  if (o->executions < 1'000'000'000) std::cout << " executions=" << o->executions;
  std::cout << " ops=" << o->ops << " mutant=" << mutant_name(o->mutant)
            << " allow-finding=" << o->allowed.describe();
  if (o->time_budget_s > 0) {
    char budget[32];
    std::snprintf(budget, sizeof(budget), "%.1f", o->time_budget_s);
    std::cout << " time-budget=" << budget << "s";
  }
  std::cout << "\n";
  const auto started = std::chrono::steady_clock::now();
  Rng rng(o->seed);
  std::map<std::string, std::size_t> reported;  // finding -> index in out.findings
  // Never replaces a file: another run (another mutant, say) keeps its scenario.
  // Returns the path written, or empty after printing why it could not be.
  auto write = [&](const std::string& what, u64 e, const Scenario& scenario) -> std::string {
    std::error_code ec;
    std::filesystem::create_directories(o->out, ec);
    const std::string stem =
        o->out + "/" + what + "-" + variant + "-" + std::string(mutant_name(o->mutant)) + "-seed" +
        std::to_string(o->seed) + "-ops" + std::to_string(o->ops) + "-exec" + std::to_string(e);
    std::string path;
    const std::string error =
        ec ? "--out " + o->out + ": " + ec.message()
           : write_new_file_atomically(stem, ".json", write_scenario(scenario), &path);
    if (!error.empty()) {
      print_error("check: could not write the scenario: " + error);
      return "";
    }
    return path;
  };
  struct Group {
    std::string kind;
    u64 count = 0;
  };
  std::vector<Group> groups;
  auto report_violation = [&](const Sequence& q) -> bool {
    const std::string kind = failure_kind(q.result.failure);
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.kind == kind; });
    if (it != groups.end()) {
      it->count++;
      return true;
    }
    groups.push_back({kind, 1});
    const properties::DifferentialResult shown =
        o->control.shrink ? shrink_failure(q.actions, q.options, kind) : q.result;
    std::cout << "VIOLATION in execution " << q.index << ": " << shown.failure << "\n";
    for (const auto& name : q.result.findings) {
      if (!q.options.tolerated_findings.count(name)) print_finding_not_allowed(name);
    }
    const std::string path = write("check", q.index, shown.counterexample);
    if (path.empty()) return false;
    const std::string mutant_option =
        o->mutant == Mutant::kNone ? "" : " --mutant " + std::string(mutant_name(o->mutant));
    std::cout << "scenario (" << (o->control.shrink ? "shrunk" : "unshrunk")
              << ", expectations are the spec's answers): " << path
              << "\nreplay it: mprogsim replay " << path << mutant_option << "\n"
              << "  " << what_replay_shows(shown.counterexample, o->mutant) << "\n";
    std::string trace_path;
    if (const auto trace = as_trace(shown.counterexample, o->mutant, o->seed, q.index)) {
      std::error_code ec;
      const std::string stem = o->out + "/trace-" + variant + "-" +
                               std::string(mutant_name(o->mutant)) + "-seed" +
                               std::to_string(o->seed) + "-ops" + std::to_string(o->ops) + "-exec" +
                               std::to_string(q.index);
      const std::string error =
          write_new_file_atomically(stem, ".json", write_trace(*trace), &trace_path);
      if (!error.empty()) {
        print_error("check: could not write the trace: " + error);
        return false;
      }
      std::cout << "trace (the simulator, no readers, sees it as " << trace->outcome->property
                << "): " << trace_path << "\nshrink or explain it: mprogsim shrink " << trace_path
                << " -o OUT; mprogsim replay " << trace_path << " --explain\n";
    }
    if (o->control.results) {
      Occurrence x;
      x.phase = o->phase;
      x.property = "spec-and-invariants";
      x.location = kind;
      x.count = 0;  // counted at the end
      x.workload = q.index;
      x.message = shown.failure;
      x.trace = std::filesystem::path(trace_path.empty() ? path : trace_path).filename().string();
      x.shrunk = o->control.shrink;
      o->control.results->violations.push_back(std::move(x));
    }
    return true;
  };
  // Sequences are drawn in order (one generator) and run in batches on the jobs'
  // threads; each batch is then taken in order, so the output does not depend on
  // --jobs. A shard runs the sequences e with e % count == index.
  const std::size_t batch_size = 64 * std::max(1U, o->control.jobs);
  bool stop = false;
  for (u64 e = 0; e < o->executions && !stop;) {
    if (o->time_budget_s > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() >=
            o->time_budget_s) {
      out.stopped_by_time = true;
      break;
    }
    if (o->control.interrupt && o->control.interrupt->load()) {
      out.interrupted = true;
      break;
    }
    std::vector<Sequence> batch;
    for (; e < o->executions && batch.size() < batch_size; e++) {
      Sequence q;
      q.index = e;
      q.options.initial_revision = draw_initial_revision(rng);
      q.options.semantics = o->semantics;
      q.options.mutant = o->mutant;
      for (const sim::KnownFinding& f : sim::known_findings()) {
        if (o->allowed.allows(f.name)) q.options.tolerated_findings.insert(std::string(f.name));
      }
      for (u32 i = 0; i < o->ops; i++) q.actions.push_back(draw_action(rng));
      if (e % o->control.shard_count != o->control.shard_index) continue;
      batch.push_back(std::move(q));
    }
    run_batch(batch, o->control.jobs);
    for (const Sequence& q : batch) {
      const auto& result = q.result;
      out.sequences++;
      for (const auto& name : result.findings) {
        if (!q.options.tolerated_findings.count(name)) continue;  // it failed the run below
        auto it = reported.find(name);
        if (it == reported.end()) {
          FindingReport f;
          f.name = name;
          f.first = q.index;
          const auto shrunk = shrink_to_finding(q.actions, q.options, name);
          f.what = shrunk.failure;
          Scenario scenario = shrunk.counterexample;
          scenario.name = "known finding " + name + " (check --sequential, seed " +
                          std::to_string(o->seed) + ", sequence " + std::to_string(q.index) +
                          ", shrunk): " + shrunk.failure;
          f.trace = write("finding-" + name, q.index, scenario);
          if (f.trace.empty()) return out.exit = 2;  // the run could not deliver what it found
          it = reported.emplace(name, out.findings.size()).first;
          out.findings.push_back(std::move(f));
        }
        out.findings[it->second].count++;
      }
      if (!result.ok) {
        if (!report_violation(q)) return out.exit = 2;
        if (o->control.stop_at_first) {
          stop = true;
          break;
        }
      }
    }
  }
  print_findings(out.findings, "sequence");
  if (o->control.results) {
    CheckResults& results = *o->control.results;
    PhaseResult p;
    p.name = o->phase;
    p.strategy = "sequential";
    p.executions = out.sequences;
    p.stopped_by_time = out.stopped_by_time;
    p.interrupted = out.interrupted;
    results.phases.push_back(p);
    results.interrupted = results.interrupted || out.interrupted;
    for (Occurrence& x : results.violations) {
      for (const Group& g : groups) {
        if (x.phase == o->phase && x.location == g.kind) x.count = g.count;
      }
    }
    for (const FindingReport& f : out.findings) {
      Occurrence x;
      x.phase = o->phase;
      x.property = f.name;
      x.count = f.count;
      x.workload = f.first;
      x.message = f.what;
      x.trace = std::filesystem::path(f.trace).filename().string();
      results.findings.push_back(std::move(x));
    }
  }
  out.violations = groups.size();
  const char* stopped = out.interrupted       ? " (interrupted: the summary so far)"
                        : out.stopped_by_time ? " (stopped by the time budget)"
                                              : "";
  if (!groups.empty()) {
    u64 failing = 0;
    for (const Group& g : groups) failing += g.count;
    std::cout << groups.size() << (groups.size() == 1 ? " violation" : " violations")
              << " (by kind of failure) in " << failing << " of " << out.sequences << " sequences"
              << (o->control.stop_at_first ? " (--stop-at-first)" : "") << stopped << "\n";
    return out.exit = out.interrupted ? 130 : 1;
  }
  std::cout << "no violation in " << out.sequences << " sequences";
  if (!out.findings.empty()) {
    std::cout << " other than the known findings allowed:";
    for (const FindingReport& f : out.findings) std::cout << " " << f.name;
  }
  std::cout << stopped << "\n";
  return out.exit = out.interrupted ? 130 : 0;
}

}  // namespace mprogsim::tools
