// SPDX-License-Identifier: GPL-2.0
// `mprogsim check`: looks for violations of the simulator's properties.
//
// Without a strategy it runs the default portfolio (check_portfolio.cc): the
// complete small-scope phase over enumerated workloads, then random and PCT on
// larger drawn workloads, then the reader-free sequences that reach 63 programs and
// revision wrap-around. `--strategy`, `--workload` or `--enumerate` run one simulator
// campaign instead (check_campaign.cc); `--sequential` the reader-free campaign alone
// (check_sequential.cc).
//
// Known findings (sim/findings.h) are named in every summary that meets them, with a
// trace; `--allow-finding` decides whether they fail the run (default: they do not).
//
// Exit 0: no violation; 1: one found (written as a trace under --out); 2: bad options.
// The summary on stdout is a pure function of the options unless a time budget is
// given (rates go to stderr), so two runs with the same options print the same bytes
// and write the same traces.
#include <initializer_list>
#include <iostream>
#include <set>
#include <sstream>

#include "common/escape.h"
#include "model/variant_registry.h"
#include "scenario/json_input.h"
#include "sim/campaign.h"
#include "sim/enumerate.h"
#include "tools/check_options.h"
#include "tools/cli_checks.h"
#include "tools/input.h"
#include "tools/interrupt.h"
#include "tools/results.h"
#include "tools/subcommands.h"
#include "traces/atomic_file.h"
#include "traces/trace.h"
#include "traces/trace_replay.h"

namespace mprogsim::tools {
namespace {

struct CheckCliOptions {
  std::string variant = "v2";
  std::string mutant = "none";
  std::string strategy = "random";
  u64 seed = 1;
  u32 readers = 2;
  u32 passes = 3;
  u32 ops = 8;
  u32 progs = 3;
  u64 executions = 100000;
  double time_budget = 0;
  u32 pct_depth = 3;
  u32 preemption_bound = 2;
  bool no_sleep_sets = false;
  bool no_state_cache = false;
  u32 schedules_per_workload = 8;
  u32 start_readers_after = 0;
  std::string out = "out";
  std::string workload;  // a scenario or trace file to run instead of drawn workloads
  bool enumerate = false;
  std::string alphabet;
  bool sequential = false;
  bool strict = false;
  std::vector<std::string> allow_finding;
  bool quiet = false;
  unsigned jobs = 1;
  std::string shard;  // "I/N"
  bool stop_at_first = false;
  bool no_shrink = false;
  std::string json;   // --json FILE
  std::string junit;  // --junit FILE
};

// "I/N" with 1 <= I <= N <= 1000000; false when it is not.
bool parse_shard(const std::string& text, std::uint64_t* index, std::uint64_t* count) {
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size() || slash > 7 ||
      text.size() - slash - 1 > 7) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); i++) {
    if (i != slash && (text[i] < '0' || text[i] > '9')) return false;
  }
  const std::uint64_t i = std::stoull(text.substr(0, slash));
  const std::uint64_t n = std::stoull(text.substr(slash + 1));
  if (n < 1 || i < 1 || i > n) return false;
  *index = i - 1;
  *count = n;
  return true;
}

// What defines the run, for the --json summary: every option given except those
// that only say where output goes or how many cores do the work, and the variant
// the run resolved to. Shards of one run and the unsharded run have the same.
nlohmann::ordered_json run_config(const CLI::App& app, const std::string& variant) {
  nlohmann::ordered_json config;
  config["variant"] = variant;
  config["seed"] = app.get_option("--seed")->as<std::uint64_t>();
  for (const CLI::Option* option : app.get_options()) {
    const std::string name = option->get_name(false, true);
    if (option->count() == 0) continue;
    static const std::set<std::string> kNotPartOfTheResult = {"--help",  "--jobs",    "--shard",
                                                              "--out",   "--json",    "--junit",
                                                              "--quiet", "--variant", "--seed"};
    std::string key = option->get_single_name();
    if (kNotPartOfTheResult.count("--" + key) || kNotPartOfTheResult.count(name)) continue;
    if (option->get_type_size() == 0) {
      config[key] = true;
      continue;
    }
    const auto values = option->results();
    config[key] =
        values.size() == 1 ? nlohmann::ordered_json(values[0]) : nlohmann::ordered_json(values);
  }
  return config;
}

// The workload of a --workload file, with the command line's concurrency.
std::optional<sim::Workload> read_workload(const std::string& file, u32 readers, u32 passes,
                                           u32 start_readers_after, Mutant mutant) {
  try {
    const InputFile in = read_input(file);
    sim::Workload w;
    if (in.trace) {
      w = sim::workload_of(parse_trace(in.text));
    } else {
      const auto scenarios = parse_scenarios(in.text);
      if (scenarios.size() != 1) throw ScenarioError("$: a workload file holds one scenario");
      w.scenario = scenarios[0];
    }
    w.readers = readers;
    w.passes = passes;
    w.start_readers_after = start_readers_after;
    w.mutant = mutant;
    return w;
  } catch (const ScenarioError& e) {
    print_error("check: " + input_error(file, e.what()));
    return std::nullopt;
  }
}

// What every mode shares, resolved from the options.
struct Resolved {
  Mutant mutant = Mutant::kNone;
  Semantics semantics{};
  std::string variant;
  sim::FindingPolicy allowed;
};

bool given(const CLI::App& app, const char* option) { return app.count(option) > 0; }

// The first of `options` the command line gives, or null.
const char* first_given(const CLI::App& app, std::initializer_list<const char*> options) {
  for (const char* option : options) {
    if (given(app, option)) return option;
  }
  return nullptr;
}

// The mutant, the variant and the findings allowed; nullopt after printing why not.
std::optional<Resolved> resolve_shared(const CheckCliOptions& o, const CLI::App& app) {
  const auto mutant = mutant_from_name(o.mutant);
  if (!mutant) {
    print_error("check: unknown mutant " + quote_input(o.mutant) + " (see `mprogsim mutants`)");
    return std::nullopt;
  }
  const VariantInfo* named = variant_named(o.variant);
  if (!named) {
    print_error("check: unknown variant " + quote_input(o.variant) + " (" + variant_names(" or ") +
                ")");
    return std::nullopt;
  }
  // A mutant picks its own variant unless --variant says otherwise; a variant that
  // cannot show the mutant is refused (the run could never fail).
  Semantics semantics = named->semantics;
  if (!given(app, "--variant") && !mutant_fits(*mutant, semantics)) {
    semantics = mutant_home(*mutant);
  }
  if (const std::string refusal = mutant_refusal(*mutant, semantics);
      !refusal.empty() && o.workload.empty()) {
    print_error("check: --variant " + o.variant + ": " + refusal);
    return std::nullopt;
  }
  if (o.strict && given(app, "--allow-finding")) {
    print_error("check: --strict is --allow-finding none; give one of them");
    return std::nullopt;
  }
  std::string error;
  std::optional<sim::FindingPolicy> allowed =
      o.strict                        ? sim::FindingPolicy::none()
      : given(app, "--allow-finding") ? sim::FindingPolicy::parse(o.allow_finding, &error)
                                      : sim::FindingPolicy::all();
  if (!allowed) {
    print_error("check: " + error);
    return std::nullopt;
  }
  return Resolved{*mutant, semantics, std::string(variant_info(semantics).name), *allowed};
}

// Options that contradict each other whatever the mode; false after printing which.
bool modes_consistent(const CheckCliOptions& o, const CLI::App& app) {
  if (given(app, "--alphabet") && !o.enumerate) {
    print_error("check: --alphabet restricts --enumerate; add --enumerate");
    return false;
  }
  const int modes = int(o.sequential) + int(o.enumerate) + int(!o.workload.empty());
  if (modes > 1) {
    print_error("check: --sequential, --enumerate and --workload exclude each other");
    return false;
  }
  if (const std::string bad = unusable_directory(o.out); !bad.empty()) {
    print_error("check: --out " + bad);
    return false;
  }
  return true;
}

// --sequential: the reader-free campaign alone.
int dispatch_sequential(const CheckCliOptions& o, const CLI::App& app, const Resolved& r,
                        const RunControl& control) {
  if (mutant_info(r.mutant).concurrent) {
    print_error("check: --sequential: mutant " + quote_input(o.mutant) +
                " shows only with datapath readers; drop --sequential");
    return 2;
  }
  if (const char* option =
          first_given(app, {"--strategy", "--readers", "--passes", "--progs", "--pct-depth",
                            "--preemption-bound", "--no-sleep-sets", "--schedules-per-workload",
                            "--start-readers-after", "--no-state-cache"})) {
    print_error("check: " + std::string(option) +
                " does not apply to --sequential (no readers, no schedules)");
    return 2;
  }
  SequentialCheckOptions s;
  s.seed = o.seed;
  s.executions = given(app, "--executions") ? o.executions
                 : o.time_budget > 0        ? 1'000'000'000
                                            : 2000;
  s.ops = given(app, "--ops") ? o.ops : 40;
  s.mutant = r.mutant;
  s.semantics = r.semantics;
  s.out = o.out;
  s.allowed = r.allowed;
  s.time_budget_s = o.time_budget;
  s.control = control;
  return run_sequential_check(s);
}

// No strategy, enumeration or workload: the default portfolio.
int dispatch_portfolio(const CheckCliOptions& o, const CLI::App& app, const Resolved& r,
                       const RunControl& control) {
  // The portfolio chooses its own shapes; an option that shapes one campaign
  // would do nothing there, so it needs a strategy.
  if (const char* option = first_given(
          app, {"--readers", "--passes", "--ops", "--progs", "--executions", "--pct-depth",
                "--preemption-bound", "--no-sleep-sets", "--schedules-per-workload",
                "--start-readers-after", "--no-state-cache"})) {
    print_error("check: " + std::string(option) +
                " shapes one campaign: add --strategy random|pct|dfs|dpor, --enumerate or "
                "--workload (without them, check runs the default portfolio)");
    return 2;
  }
  PortfolioOptions p;
  p.semantics = r.semantics;
  p.variant = r.variant;
  p.mutant = r.mutant;
  p.mutant_name = o.mutant;
  p.seed = o.seed;
  p.time_budget_s = o.time_budget;
  p.out = o.out;
  p.quiet = o.quiet;
  p.allowed = r.allowed;
  p.control = control;
  return run_portfolio(p);
}

// One campaign's strategy, shape and budget from the options; false after printing
// why they do not fit together.
bool configure_campaign(const CheckCliOptions& o, const CLI::App& app, const Resolved& r,
                        sim::CampaignOptions* c) {
  c->strategy.kind = given(app, "--strategy") ? o.strategy : o.enumerate ? "dpor" : "random";
  c->strategy.seed = o.seed;
  c->strategy.pct_depth = o.pct_depth;
  c->strategy.preemption_bound = o.preemption_bound;
  c->strategy.preemption_bound_given = given(app, "--preemption-bound");
  c->strategy.sleep_sets = !o.no_sleep_sets;
  c->strategy.state_cache = !o.no_state_cache && !c->strategy.preemption_bound_given;
  if (o.no_state_cache && c->strategy.kind != "dpor") {
    print_error(
        "check: --no-state-cache is for --strategy dpor (the only strategy that caches states)");
    return false;
  }
  c->shape.readers = o.readers;
  c->shape.passes = o.passes;
  c->shape.ops = o.ops;
  c->shape.progs = o.progs;
  c->shape.start_readers_after = o.start_readers_after;
  c->shape.mutant = r.mutant;
  c->shape.semantics = r.semantics;
  // A time budget alone means "until the time is up"; an enumerated series runs to
  // its end unless an execution budget is given.
  c->executions = (o.time_budget > 0 || o.enumerate) && !given(app, "--executions") ? 1'000'000'000
                                                                                    : o.executions;
  c->time_budget_s = o.time_budget;
  c->schedules_per_workload = o.schedules_per_workload;
  c->allowed_findings = r.allowed;
  if (sim::exhaustive_strategy(c->strategy.kind) && !o.enumerate) {
    // An exhaustive search needs a small workload to finish.
    if (!given(app, "--ops")) c->shape.ops = 3;
    if (!given(app, "--progs")) c->shape.progs = 2;
    if (!given(app, "--passes")) c->shape.passes = 1;
  }
  return true;
}

// --workload: the campaign runs the file's steps; its own semantics wins. False after
// printing why not.
bool use_workload_file(const CheckCliOptions& o, const CLI::App& app, const Resolved& r,
                       SimCheckOptions* s, std::string* resolved_variant) {
  sim::CampaignOptions& c = s->campaign;
  auto w =
      read_workload(o.workload, c.shape.readers, c.shape.passes, o.start_readers_after, r.mutant);
  if (!w) return false;
  s->workload_file = o.workload;
  s->variant = variant_info(w->scenario.semantics).name;
  *resolved_variant = s->variant;
  const std::string refusal = mutant_refusal(r.mutant, w->scenario.semantics);
  if (!refusal.empty()) {
    print_error("check: " + o.workload + ": " + refusal);
    return false;
  }
  c.workload = std::move(*w);
  // dpor on a given workload: explore it to the end unless a budget was given.
  if (c.strategy.kind == "dpor" && !given(app, "--executions")) c.executions = 1'000'000'000;
  return true;
}

// --enumerate: the campaign runs every small workload of the alphabet. False after
// printing why not.
bool use_enumeration(const CheckCliOptions& o, const CLI::App& app, const Resolved& r,
                     SimCheckOptions* s) {
  sim::CampaignOptions& c = s->campaign;
  sim::EnumerateOptions e;
  e.semantics = r.semantics;
  e.mutant = r.mutant;
  std::string error;
  const auto alphabet = sim::parse_alphabet(o.alphabet, r.semantics, &error);
  if (!alphabet) {
    print_error("check: " + error);
    return false;
  }
  e.alphabet = *alphabet;
  // Small by default: every sequence is explored, so the count grows fast.
  e.progs = given(app, "--progs") ? o.progs : 3;
  e.ops = given(app, "--ops") ? o.ops : 2;
  e.readers = c.shape.readers = given(app, "--readers") ? o.readers : 1;
  e.passes = c.shape.passes = given(app, "--passes") ? o.passes : 1;
  e.start_readers_after = o.start_readers_after;
  std::shared_ptr<const sim::Enumeration> enumeration;
  try {
    enumeration = std::make_shared<const sim::Enumeration>(e);
  } catch (const std::length_error& error_too_large) {
    print_error(std::string("check: --enumerate: ") + error_too_large.what());
    return false;
  }
  std::ostringstream text;
  text << "ops=" << e.ops << " progs=" << e.progs;
  if (enumeration->prefix_states() > 1) {
    text << " reader-free-prefixes=" << enumeration->prefix_states() << " states (of "
         << enumeration->prefix_sequences() << " sequences)";
  }
  text << " alphabet=";
  for (std::size_t i = 0; i < e.alphabet.size(); i++) text << (i ? "," : "") << e.alphabet[i];
  s->enumeration_text = text.str();
  s->enumeration = enumeration;
  c.source = [enumeration, next = std::uint64_t{0}]() mutable -> std::optional<sim::Workload> {
    if (next >= enumeration->size()) return std::nullopt;
    return enumeration->at(next++);
  };
  return true;
}

// --strategy, --workload or --enumerate: one simulator campaign.
int dispatch_campaign(const CheckCliOptions& o, const CLI::App& app, const Resolved& r,
                      const RunControl& control, std::string* resolved_variant) {
  SimCheckOptions s;
  s.control = control;
  s.mutant = o.mutant;
  s.out = o.out;
  s.quiet = o.quiet;
  s.variant = r.variant;
  sim::CampaignOptions& c = s.campaign;
  if (!configure_campaign(o, app, r, &c)) return 2;
  if (!o.workload.empty() && !use_workload_file(o, app, r, &s, resolved_variant)) return 2;
  if (o.enumerate && !use_enumeration(o, app, r, &s)) return 2;
  if (control.shard_count > 1 && sim::exhaustive_strategy(c.strategy.kind) &&
      c.executions < 1'000'000'000) {
    // A workload's size is known only once explored: where an execution budget cuts
    // the series depends on the workloads of every shard.
    print_error("check: --shard with " + c.strategy.kind +
                " needs a series without an execution budget (--enumerate, or --time-budget, "
                "without --executions)");
    return 2;
  }
  return run_sim_check(s);
}

// Resolves the options into one of check's three modes and runs it.
int dispatch_check(const CheckCliOptions& o, const CLI::App& app, const RunControl& control,
                   std::string* resolved_variant) {
  const std::optional<Resolved> r = resolve_shared(o, app);
  if (!r) return 2;
  *resolved_variant = r->variant;
  if (!modes_consistent(o, app)) return 2;
  if (o.sequential) return dispatch_sequential(o, app, *r, control);
  if (!given(app, "--strategy") && !o.enumerate && o.workload.empty()) {
    return dispatch_portfolio(o, app, *r, control);
  }
  return dispatch_campaign(o, app, *r, control, resolved_variant);
}

int run_check(const CheckCliOptions& o, const CLI::App& app) {
  RunControl control;
  control.jobs = o.jobs;
  control.stop_at_first = o.stop_at_first;
  control.shrink = !o.no_shrink;
  if (!o.shard.empty() && !parse_shard(o.shard, &control.shard_index, &control.shard_count)) {
    print_error("check: --shard " + quote_input(o.shard) + ": expected I/N with 1 <= I <= N");
    return 2;
  }
  if (control.shard_count > 1 && o.stop_at_first) {
    // Each shard would stop at its own first violation: no merge could give the
    // unsharded result.
    print_error("check: --shard runs on past violations; drop --stop-at-first");
    return 2;
  }
  for (const auto& [option, file] :
       {std::pair{"--json", &o.json}, std::pair{"--junit", &o.junit}}) {
    if (file->empty()) continue;
    if (const std::string bad = unwritable_target(*file); !bad.empty()) {
      print_error(std::string("check: ") + option + " " + bad);
      return 2;
    }
  }
  if (!o.json.empty() && o.json == o.junit) {
    print_error("check: --json and --junit name the same file");
    return 2;
  }
  CheckResults results;
  results.shard_index = control.shard_index;
  results.shard_count = control.shard_count;
  control.results = &results;
  const InterruptScope interrupt;
  control.interrupt = interrupt.flag();
  std::string variant = o.variant;
  const int code = dispatch_check(o, app, control, &variant);
  if (code == 2) return code;  // bad options or an output that could not be written
  results.config = run_config(app, variant);
  results.normalize();
  if (!o.json.empty()) {
    if (const std::string error = write_result_file(o.json, to_json(results).dump(1) + "\n");
        !error.empty()) {
      print_error("check: --json: " + error);
      return 2;
    }
  }
  if (!o.junit.empty()) {
    if (const std::string error = write_result_file(o.junit, check_junit(results));
        !error.empty()) {
      print_error("check: --junit: " + error);
      return 2;
    }
  }
  return code;
}

// What is checked, how, from which seed.
void add_subject_options(CLI::App& app, CheckCliOptions* o) {
  app.add_option("--variant", o->variant,
                 "Model variant: v2 (the reviewed patch) or upstream; default v2, or the "
                 "mutant's own variant");
  app.add_option("--mutant", o->mutant,
                 "Run on a deliberately broken model (see mutants); a mutant of one variant's "
                 "code selects that variant");
  app.add_option("--strategy", o->strategy,
                 "One campaign with this strategy instead of the default portfolio: random | pct | "
                 "dfs | dpor")
      ->check(CLI::IsMember({"random", "pct", "dfs", "dpor"}));
  app.add_option("--seed", o->seed, "Seed of the campaign (same seed, same run)")
      ->transform(unsigned_decimal());
}

// The shape and budget of one campaign.
void add_shape_options(CLI::App& app, CheckCliOptions* o) {
  app.add_option("--readers", o->readers, "Datapath reader threads")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(0U, 8U));
  app.add_option("--passes", o->passes, "Passes per reader")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(1U, 1000U));
  app.add_option("--ops", o->ops, "Mixed control operations per workload (--enumerate: at most)")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(1U, 10000U));
  app.add_option("--progs", o->progs, "Programs loaded before the mixed operations")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(0U, 64U));
  app.add_option("--executions", o->executions, "Executions to run at most")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(u64{1}, u64{1000000000}));
  app.add_option("--time-budget", o->time_budget,
                 "Stop after this many seconds (the portfolio shares them among its phases)")
      ->check(non_negative_decimal())
      ->check(CLI::Range(0.0, 1e7));
  app.add_option("--pct-depth", o->pct_depth, "PCT bug depth d")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(1U, 100U));
  app.add_option("--preemption-bound", o->preemption_bound, "DFS preemption bound")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(0U, 100U));
  app.add_flag("--no-sleep-sets", o->no_sleep_sets, "DFS without sleep-set reduction");
  app.add_flag("--no-state-cache", o->no_state_cache,
               "dpor without state caching (each interleaving up to equivalence run to its end)");
  app.add_option("--schedules-per-workload", o->schedules_per_workload,
                 "Random/PCT executions per workload")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(1U, 1000000U));
  app.add_option("--start-readers-after", o->start_readers_after,
                 "The readers start once the control path has ended this many steps "
                 "(--enumerate: the operations before them are merged by state)")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(0U, 100000000U));
}

// Where traces go, and which of check's modes runs.
void add_mode_options(CLI::App& app, CheckCliOptions* o) {
  app.add_option("--out", o->out, "Directory for the traces written (violations, findings)")
      ->check(non_empty());
  app.add_option("--workload", o->workload,
                 "Run this scenario or trace file's control steps instead of drawn workloads")
      ->check(non_empty());
  app.add_flag("--enumerate", o->enumerate,
               "Run every operation sequence of at most --ops operations (default 2) over the "
               "alphabet after --progs loads (default 3), 1 reader x 1 pass unless given, "
               "instead of drawn workloads (strategy dpor unless given)");
  app.add_option("--alphabet", o->alphabet,
                 "--enumerate: the operations, comma-separated (docs/simulator.md lists them)")
      ->check(non_empty());
  app.add_flag("--sequential", o->sequential, "The reader-free campaign of long sequences alone");
  app.add_option("--allow-finding", o->allow_finding,
                 "A known finding that is reported with a trace but does not fail the run: a "
                 "name, all (the default) or none; repeatable")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(non_empty());
  app.add_flag("--strict", o->strict, "Known findings fail the run (--allow-finding none)");
}

// How the run reports and splits its work.
void add_run_options(CLI::App& app, CheckCliOptions* o) {
  app.add_flag("-q,--quiet", o->quiet, "No progress line and no rate");
  app.add_option("--jobs,-j", o->jobs,
                 "Run on this many cores; the result does not depend on it (same seed, same "
                 "violations, same traces)")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(1U, 256U));
  app.add_option("--shard", o->shard,
                 "Run part I of N (I/N, 1-based) of the run's workloads; `mprogsim merge` "
                 "combines the parts' --json summaries into the unsharded one")
      ->check(non_empty());
  app.add_flag("--stop-at-first", o->stop_at_first,
               "End at the first violation (default: run on and report every violation, grouped "
               "by property and location, each with a shrunk trace)");
  app.add_flag("--no-shrink", o->no_shrink, "Write each violation's trace as found, unshrunk");
  app.add_option("--json", o->json, "Write the summary as JSON (docs/results-format.md) to FILE")
      ->check(non_empty());
  app.add_option("--junit", o->junit,
                 "Write a JUnit XML report to FILE: one test case per property and phase")
      ->check(non_empty());
}

}  // namespace

Run add_check(CLI::App& app) {
  auto o = std::make_shared<CheckCliOptions>();
  add_subject_options(app, o.get());
  add_shape_options(app, o.get());
  add_mode_options(app, o.get());
  add_run_options(app, o.get());
  return [o, &app] { return run_check(*o, app); };
}

}  // namespace mprogsim::tools
