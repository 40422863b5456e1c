// SPDX-License-Identifier: GPL-2.0
// The parts of `mprogsim check` and what they share: the reader-free sequential
// campaign (check_sequential.cc), one simulator campaign (check_campaign.cc) and the
// default portfolio that runs several of them (check_portfolio.cc).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "model/mprog_api.h"
#include "model/mutants.h"
#include "scenario/scenario.h"
#include "sim/campaign.h"
#include "sim/enumerate.h"
#include "sim/findings.h"
#include "tools/results.h"

namespace mprogsim::tools {

// What every part of `check` shares: how the work is spread and what a violation
// leaves behind.
struct RunControl {
  unsigned jobs = 1;              // --jobs
  std::uint64_t shard_index = 0;  // --shard I/N, 0-based
  std::uint64_t shard_count = 1;
  bool stop_at_first = false;                    // --stop-at-first
  bool shrink = true;                            // --no-shrink clears it
  const std::atomic<bool>* interrupt = nullptr;  // set by SIGINT
  CheckResults* results = nullptr;               // filled for --json and --junit (may be null)
};

// A known finding a campaign met and let pass, as its summary reports it.
struct FindingReport {
  std::string name;
  std::uint64_t count = 0;  // executions (sequences) that met it
  std::uint64_t first = 0;  // index of the first
  std::string what;         // one line: what the first one showed
  std::string trace;        // the file written for it; empty if writing failed
  std::string write_error;
};

// "known finding NAME (docs/semantics.md LABEL: title): met in N ..., first in ...;
// allowed by --allow-finding", then what it showed and its trace.
void print_findings(const std::vector<FindingReport>& findings, const char* unit);
// What a violation that is a known finding, not allowed, adds to its report.
void print_finding_not_allowed(const std::string& name);

struct SequentialCheckOptions {
  u64 seed = 1;
  u64 executions = 2000;
  u32 ops = 40;
  Mutant mutant = Mutant::kNone;
  Semantics semantics = Semantics::kV2;
  std::string out = "out";
  sim::FindingPolicy allowed = sim::FindingPolicy::all();
  double time_budget_s = 0;          // 0: run all `executions`
  bool header = true;                // print the SEED= line (the portfolio prints its own)
  std::string phase = "sequential";  // its name in the results
  RunControl control;
};

struct SequentialOutcome {
  int exit = 0;
  std::uint64_t sequences = 0;
  bool stopped_by_time = false;
  bool interrupted = false;
  std::uint64_t violations = 0;  // groups
  std::vector<FindingReport> findings;
};

[[nodiscard]] int run_sequential_check(const SequentialCheckOptions& options,
                                       SequentialOutcome* outcome = nullptr);

// One simulator campaign with its summary.
struct SimCheckOptions {
  sim::CampaignOptions campaign;
  std::string variant = "v2";
  std::string mutant = "none";
  std::string out = "out";
  bool quiet = false;
  bool header = true;         // print the SEED= line
  std::string workload_file;  // --workload, for the header
  // --enumerate: the series the campaign runs (campaign.source reads it).
  std::shared_ptr<const sim::Enumeration> enumeration;
  std::string enumeration_text;    // "ops=3 progs=3 alphabet=..." for the header
  std::string phase = "campaign";  // its name in the results
  RunControl control;
};

struct SimCheckOutcome {
  int exit = 0;
  sim::CampaignResult result;
  std::vector<FindingReport> findings;
  // An exhaustive strategy explored every workload of its series to the end.
  bool complete = false;
};

[[nodiscard]] int run_sim_check(const SimCheckOptions& options, SimCheckOutcome* outcome = nullptr);

// The default portfolio (no strategy chosen): see check_portfolio.cc.
struct PortfolioOptions {
  Semantics semantics = Semantics::kV2;
  std::string variant = "v2";
  Mutant mutant = Mutant::kNone;
  std::string mutant_name = "none";
  u64 seed = 1;
  double time_budget_s = 0;  // 0: the default amounts of work
  std::string out = "out";
  bool quiet = false;
  sim::FindingPolicy allowed = sim::FindingPolicy::all();
  RunControl control;
};

[[nodiscard]] int run_portfolio(const PortfolioOptions& options);

// "1.23M", "45.6k", "789".
[[nodiscard]] std::string human(double n);

}  // namespace mprogsim::tools
