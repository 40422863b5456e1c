// SPDX-License-Identifier: GPL-2.0
// The subcommands of `mprogsim`; each registers its options on the CLI11 app and
// returns the exit code: 0 success, 1 a check failed, 2 bad input or options.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace mprogsim::tools {

using Run = std::function<int()>;

[[nodiscard]] Run add_replay(CLI::App& app);
[[nodiscard]] Run add_mutants(CLI::App& app);
[[nodiscard]] Run add_check(CLI::App& app);
[[nodiscard]] Run add_shrink(CLI::App& app);
[[nodiscard]] Run add_diff(CLI::App& app);
[[nodiscard]] Run add_merge(CLI::App& app);
[[nodiscard]] Run add_export(CLI::App& app);
[[nodiscard]] Run add_validate(CLI::App& app);

}  // namespace mprogsim::tools
