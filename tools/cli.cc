// SPDX-License-Identifier: GPL-2.0
#include "tools/cli.h"

namespace mprogsim::tools {

std::unique_ptr<Cli> make_cli() {
  auto cli = std::make_unique<Cli>();
  CLI::App& app = cli->app;
  app.require_subcommand(1);
  // Every option's help shows its default value (captured when the option is added;
  // subcommands inherit this).
  app.option_defaults()->always_capture_default();
  app.set_version_flag("--version", std::string("mprogsim ") + MPROGSIM_VERSION);
  auto add = [&](const char* name, const char* help, auto adder) {
    CLI::App* sub = app.add_subcommand(name, help);
    cli->runs[sub] = adder(*sub);
  };
  add("check",
      "Run a seeded simulator campaign: control path and datapath readers interleaved, "
      "every execution checked (use-after-free, snapshots, spec, revision, references)",
      add_check);
  add("replay", "Run scenario files, or re-execute trace files exactly (--explain, --dot)",
      add_replay);
  add("shrink", "Minimize a failing trace while the same property fails", add_shrink);
  add("diff", "Find the shortest operation sequences on which two versions of mprog differ",
      add_diff);
  add("mutants", "List the deliberately broken model variants", add_mutants);
  add("export", "Turn an upstream scenario or trace into a C test for the real kernel (--selftest)",
      add_export);
  add("merge", "Combine the --json summaries of a check run's shards into the unsharded one",
      add_merge);
  add("validate",
      "What a changed variant breaks, in one report: BASE's scenarios and corpus traces "
      "replayed on it, diff BASE NAME, and a check campaign",
      add_validate);
  return cli;
}

}  // namespace mprogsim::tools
