// SPDX-License-Identifier: GPL-2.0
// mprogsim: a deterministic model checker for the kernel's bpf_mprog.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <string>

#include "tools/subcommands.h"

int main(int argc, char** argv) {
  CLI::App app{"mprogsim: a deterministic simulator and model checker for bpf_mprog"};
  app.require_subcommand(1);
  std::map<CLI::App*, mprogsim::tools::Run> runs;
  auto add = [&](const char* name, const char* help, auto adder) {
    CLI::App* sub = app.add_subcommand(name, help);
    runs[sub] = adder(*sub);
  };
  add("check",
      "Run a seeded simulator campaign: control path and datapath readers interleaved, "
      "every execution checked (use-after-free, snapshots, spec, revision, references)",
      mprogsim::tools::add_check);
  add("replay", "Run scenario files, or re-execute trace files exactly (--explain, --dot)", mprogsim::tools::add_replay);
  add("shrink", "Minimize a failing trace while the same property fails",
      mprogsim::tools::add_shrink);
  add("diff", "Find the shortest operation sequences on which two versions of mprog differ",
      mprogsim::tools::add_diff);
  add("mutants", "List the deliberately broken model variants", mprogsim::tools::add_mutants);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  for (auto& [sub, run] : runs) {
    if (sub->parsed()) return run();
  }
  return 2;
}
