// SPDX-License-Identifier: GPL-2.0
// Strict option values for every subcommand. CLI11 converts integers with
// strtoull(..., 0), so on its own `--seed -1` wraps to 2^64-1, `010` is octal, `0x10`
// hex and `1e23` goes through a double; a double option takes `nan` and `inf`, and
// Range() lets NaN through (every comparison with it is false). These validators run
// on the text before CLI11 converts it, so each such value is an error (exit 2).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace mprogsim::tools {

// A plain unsigned decimal (digits only) that fits in 64 bits; leading zeros are
// dropped so that CLI11 does not read "010" as octal. Combine with CLI::Range for
// the option's own bounds.
[[nodiscard]] const CLI::Validator& unsigned_decimal();
// A plain non-negative decimal number: digits, optionally a point and digits (no
// sign, exponent, nan or inf).
[[nodiscard]] const CLI::Validator& non_negative_decimal();
// A non-empty string (a file or directory name: `--out ''` would write into `/`).
[[nodiscard]] const CLI::Validator& non_empty();

// Why DIR cannot become an output directory ("" when it can): checked before a run,
// so that a campaign does not run for minutes and then fail to write its trace. DIR
// is usable when it is a directory, or does not exist and its nearest existing
// ancestor is a directory (it is created only when something is written).
[[nodiscard]] std::string unusable_directory(const std::string& dir);

// Prints `line` (escaped: common/escape.h) and a newline on stderr.
void print_error(const std::string& line);

}  // namespace mprogsim::tools
