// SPDX-License-Identifier: GPL-2.0
// `mprogsim diff A B`: a semantic diff between two versions of mprog. A and B are
// `v2` or `upstream`, each optionally with a mutant (`v2+commit-keeps-zero`). Both
// run the same name-level operations; the shortest sequences on which their answers
// differ are printed per kind of difference (properties/semantic_diff.h), and with
// --out DIR written as scenario pairs that `mprogsim replay` passes on their own side.
//
// Exit 0: no difference within the bounds; 1: differences found; 2: bad options.
// Stdout is a pure function of the options (the time taken goes to stderr).
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "model/variant_registry.h"
#include "properties/semantic_diff.h"
#include "tools/cli_checks.h"
#include "tools/diff_report.h"
#include "tools/results.h"
#include "tools/subcommands.h"
#include "traces/atomic_file.h"

namespace mprogsim::tools {
namespace {

struct DiffCliOptions {
  std::string a;
  std::string b;
  properties::SemanticDiffOptions search;
  u64 initial_revision = 0;
  std::string out;   // empty: print only
  std::string json;  // --json FILE
};

std::string slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (keep) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string replay_command(const properties::Variant& v, const std::string& file) {
  std::string cmd = "mprogsim replay ";
  if (v.mutant != Mutant::kNone) cmd += "--mutant " + std::string(mutant_name(v.mutant)) + " ";
  return cmd + file;
}

std::string steps_word(std::size_t n) { return std::to_string(n) + (n == 1 ? " step" : " steps"); }

// The two sides, the bounds and the alphabet the search uses.
void print_bounds(const DiffCliOptions& o, const properties::Variant& a,
                  const properties::Variant& b) {
  const auto& s = o.search;
  const bool one_upstream =
      variant_info(a.semantics).first_last != variant_info(b.semantics).first_last;
  const bool any_v2 = variant_info(a.semantics).first_last || variant_info(b.semantics).first_last;
  std::cout << "diff: A = " << a.name() << ", B = " << b.name() << "\n";
  std::cout << "bounds: depth " << s.depth << ", programs " << s.progs << ", links " << s.links
            << ", qdisc holds " << s.holds;
  if (s.initial_revision) std::cout << ", initial revision " << *s.initial_revision;
  std::cout << "\nalphabet: load; attach (plain, BEFORE/AFTER alone, BEFORE/AFTER a program "
               "by fd and by id, BEFORE/AFTER a link, REPLACE, expected_revision current and "
               "stale); detach (a program, alone or BEFORE/AFTER a program; null, alone, "
               "BEFORE/AFTER, next to a program, stale expected_revision); link_attach (plain, "
               "BEFORE/AFTER alone or a program); link_update; link_detach; prog_close; "
               "link_close; miniq_inc/dec; query (full, buffer 0, buffer 1); run; refs";
  if (any_v2 && !s.common_only) {
    std::cout << "; FIRST/LAST (attach, alone or with REPLACE; link_attach; detach null)"
              << (one_upstream ? ", v2 only: each use is reported as its own kind" : "");
  } else if (any_v2) {
    std::cout << "; FIRST/LAST left out (--common)";
  }
  std::cout << "\n";
}

// One kind of difference: its example, step by step with both sides' answers, and
// the scenario pair under --out. Returns "" or why a file could not be written.
}  // namespace

std::string print_difference(const std::string& out_dir, const properties::Variant& a,
                             const properties::Variant& b, std::size_t k,
                             const properties::DiffExample& d) {
  std::cout << "\n[" << k + 1 << "] " << d.kind << ": " << steps_word(d.labels.size())
            << (d.from_random ? ", found past the bound (not proven shortest)"
                              : ", shortest within the bound")
            << (d.first_difference < d.labels.size()
                    ? ", after a first difference at step " + std::to_string(d.first_difference)
                    : "")
            << "\n";
  for (std::size_t i = 0; i < d.labels.size(); i++) {
    std::cout << "  " << (d.differs[i] ? "* " : "  ") << i + 1 << ". " << d.labels[i]
              << "\n      A: " << d.lines_a[i] << "\n      B: " << d.lines_b[i] << "\n";
  }
  if (out_dir.empty()) return "";
  std::ostringstream stem;
  stem << std::setw(2) << std::setfill('0') << k + 1 << "-" << slug(d.kind);
  const std::string file_a = (std::filesystem::path(out_dir) / (stem.str() + ".a.json")).string();
  const std::string file_b = (std::filesystem::path(out_dir) / (stem.str() + ".b.json")).string();
  for (const auto& [file, scenario] :
       {std::pair{file_a, &d.scenario_a}, std::pair{file_b, &d.scenario_b}}) {
    const std::string err = write_file_atomically(file, write_scenario(*scenario));
    if (!err.empty()) return err;
  }
  std::cout << "  replay A: " << replay_command(a, file_a)
            << "\n  replay B: " << replay_command(b, file_b) << "\n";
  return "";
}

// The --json summary (docs/results-format.md).
nlohmann::ordered_json diff_json(const properties::SemanticDiffOptions& s,
                                 const properties::Variant& a, const properties::Variant& b,
                                 const properties::SemanticDiffResult& r) {
  nlohmann::ordered_json j;
  j["format"] = kResultsFormat;
  j["version"] = kResultsVersion;
  j["command"] = "diff";
  j["a"] = a.name();
  j["b"] = b.name();
  j["bounds"] = {{"depth", s.depth},       {"progs", s.progs},
                 {"links", s.links},       {"holds", s.holds},
                 {"random", s.random},     {"seed", s.seed},
                 {"by_shape", s.by_shape}, {"common_only", s.common_only}};
  j["exhaustive_depth"] = r.exhaustive_depth;
  j["states"] = r.states;
  j["edges"] = r.edges;
  j["state_limit_reached"] = r.state_limit_reached;
  j["random_sequences"] = r.random_sequences;
  j["exit"] = r.differences.empty() ? 0 : 1;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& d : r.differences) {
    nlohmann::ordered_json x;
    x["kind"] = d.kind;
    x["summary"] = d.summary;
    x["shortest_within_bound"] = !d.from_random;
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < d.labels.size(); i++) {
      steps.push_back({{"step", i + 1},
                       {"op", d.labels[i]},
                       {"a", d.lines_a[i]},
                       {"b", d.lines_b[i]},
                       {"differs", bool(d.differs[i])}});
    }
    x["steps"] = std::move(steps);
    list.push_back(std::move(x));
  }
  j["differences"] = std::move(list);
  return j;
}

namespace {

// What the search covered: the exhaustive bound, then the random phase past it.
void print_search(const properties::SemanticDiffOptions& s,
                  const properties::SemanticDiffResult& r) {
  std::cout << "shortest within depth " << r.exhaustive_depth << ": exhaustive BFS over "
            << r.states << " states, " << r.edges << " edges";
  if (r.state_limit_reached) {
    std::cout << " (depth " << s.depth << " asked for; the search stopped at the limit of "
              << s.max_states << " states)";
  } else if (!r.bound_reached) {
    std::cout << " (every reachable state explored before the bound)";
  }
  std::cout << "\n";
  if (s.random > 0) {
    std::cout << "past the bound: random search of " << r.random_sequences << " sequences of "
              << s.depth + 1 << ".." << 2 * s.depth + 2 << " steps (seed " << s.seed << "), "
              << r.random_new_kinds << " kind" << (r.random_new_kinds == 1 ? "" : "s")
              << " not reached within the bound (shrunk, not proven shortest)\n";
  } else {
    std::cout << "past the bound: not searched (--random 0)\n";
  }
}

// Each kind of difference with its example (written under --out when given), then
// the summary. False after printing why an example could not be written.
bool print_differences(const DiffCliOptions& o, const properties::Variant& a,
                       const properties::Variant& b, const properties::SemanticDiffResult& r) {
  const auto& s = o.search;
  if (!o.out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    if (ec) {
      print_error("diff: --out " + o.out + ": " + ec.message());
      return false;
    }
  }
  std::cout << "\n"
            << r.differences.size() << (r.differences.size() == 1 ? " kind" : " kinds")
            << " of difference" << (s.by_shape ? " (per operation shape)" : "") << "\n";
  for (std::size_t k = 0; k < r.differences.size(); k++) {
    if (const std::string err = print_difference(o.out, a, b, k, r.differences[k]); !err.empty()) {
      print_error("diff: " + err);
      return false;
    }
  }
  std::cout << "\nsummary (kind: length; the differing step)\n";
  for (const auto& d : r.differences) {
    std::cout << "  " << d.kind << ": " << steps_word(d.labels.size())
              << (d.from_random ? " (past the bound)" : "")
              << (d.first_difference < d.labels.size()
                      ? " (after step " + std::to_string(d.first_difference) + " differed)"
                      : "")
              << "; " << d.summary << "\n";
  }
  return true;
}

int run_diff(DiffCliOptions& o, bool initial_revision_given) {
  std::string error;
  const auto a = properties::parse_variant(o.a, &error);
  if (!a) {
    print_error("diff: A: " + error);
    return 2;
  }
  const auto b = properties::parse_variant(o.b, &error);
  if (!b) {
    print_error("diff: B: " + error);
    return 2;
  }
  if (const std::string bad = o.out.empty() ? "" : unusable_directory(o.out); !bad.empty()) {
    print_error("diff: --out " + bad);
    return 2;
  }
  if (const std::string bad = o.json.empty() ? "" : unwritable_target(o.json); !bad.empty()) {
    print_error("diff: --json " + bad);
    return 2;
  }
  auto& s = o.search;
  s.a = *a;
  s.b = *b;
  if (initial_revision_given) s.initial_revision = o.initial_revision;

  print_bounds(o, *a, *b);

  const auto start = std::chrono::steady_clock::now();
  properties::SemanticDiffResult r;
  try {
    r = properties::semantic_diff(s);
  } catch (const ScenarioError& e) {
    // The alphabet only offers steps both sides accept; a refusal is our bug.
    print_error(std::string("diff: internal error: a generated step was refused: ") + e.what());
    return 2;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  print_search(s, r);
  std::cerr << "diff: " << std::fixed << std::setprecision(2) << seconds << " s, " << r.applied
            << " operations applied on each side\n";

  if (!o.json.empty()) {
    if (const std::string failed =
            write_result_file(o.json, diff_json(o.search, *a, *b, r).dump(1) + "\n");
        !failed.empty()) {
      print_error("diff: --json: " + failed);
      return 2;
    }
  }
  if (r.differences.empty()) {
    std::cout << "no difference\n";
    return 0;
  }
  if (!print_differences(o, *a, *b, r)) return 2;
  if (o.out.empty()) std::cout << "(--out DIR writes each example as a scenario pair)\n";
  return 1;
}

}  // namespace

Run add_diff(CLI::App& app) {
  auto o = std::make_shared<DiffCliOptions>();
  app.add_option("A", o->a, "First version: v2 or upstream, optionally +MUTANT")->required();
  app.add_option("B", o->b, "Second version: v2 or upstream, optionally +MUTANT")->required();
  // The bounds keep the search finite: the BFS's states grow with every step and
  // with the programs, links and holds it may use (README, "Reliability").
  app.add_option("--depth", o->search.depth,
                 "Explore every sequence of at most this many steps (default 6, at most 12)")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(1U, properties::kMaxDiffDepth));
  app.add_option("--random", o->search.random,
                 "Random sequences past the depth bound (default 2000; 0: none)")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(0U, 1000000U));
  app.add_option("--seed", o->search.seed, "Seed of the random search (default 1)")
      ->transform(unsigned_decimal());
  app.add_option("--progs", o->search.progs, "Programs that may be loaded (default 3, at most 8)")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(1U, 8U));
  app.add_option("--links", o->search.links, "Link names that may be bound (default 2, at most 8)")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(0U, 8U));
  app.add_option("--holds", o->search.holds,
                 "Qdisc holds outstanding at once (default 2, at most 8)")
      ->transform(unsigned_decimal())
      ->check(CLI::Range(0U, 8U));
  app.add_option("--initial-revision", o->initial_revision,
                 "The revision a new bundle starts with, on both sides")
      ->transform(unsigned_decimal());
  app.add_flag("--by-shape", o->search.by_shape,
               "One kind per operation shape (attach BEFORE prog by id, ...), not per operation");
  app.add_flag("--common", o->search.common_only,
               "Leave FIRST/LAST out of the alphabet even with a v2 side");
  app.add_option("--out", o->out, "Write each kind's example as a scenario pair into DIR")
      ->check(non_empty());
  app.add_option("--json", o->json, "Write the result as JSON (docs/results-format.md) to FILE")
      ->check(non_empty());
  return [o, &app] { return run_diff(*o, app.count("--initial-revision") > 0); };
}

}  // namespace mprogsim::tools
