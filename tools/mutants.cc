// SPDX-License-Identifier: GPL-2.0
// `mprogsim mutants`: every deliberately broken model variant, one line each.
#include <iostream>

#include "model/mutants.h"
#include "tools/subcommands.h"

namespace mprogsim::tools {

Run add_mutants(CLI::App&) {
  return [] {
    for (const auto& info : all_mutants()) {
      std::cout << info.name << "\t" << (info.concurrent ? "concurrent" : "sequential") << "\t"
                << mutant_variant_name(info.variant) << "\t" << info.description << "\n";
    }
    return 0;
  };
}

}  // namespace mprogsim::tools
