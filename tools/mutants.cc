// SPDX-License-Identifier: GPL-2.0
// `mprogsim mutants`: every deliberately broken model variant, one line each.
#include "model/mutants.h"

#include <iostream>

#include "model/variant_registry.h"
#include "tools/subcommands.h"

namespace mprogsim::tools {

Run add_mutants(CLI::App&) {
  return [] {
    for (const auto& info : all_mutants()) {
      std::cout << info.name << "\t" << (info.concurrent ? "concurrent" : "sequential") << "\t"
                << mutant_variants(info.mutant) << "\t" << info.description << "\n";
    }
    return 0;
  };
}

}  // namespace mprogsim::tools
