// SPDX-License-Identifier: GPL-2.0
#include "tools/cli_checks.h"

#include <filesystem>
#include <iostream>

#include "common/escape.h"

namespace mprogsim::tools {
namespace {

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

const CLI::Validator& unsigned_decimal() {
  static const CLI::Validator kCheck(
      [](std::string& value) -> std::string {
        if (!all_digits(value))
          return "expected an unsigned decimal integer, not " + quote_input(value);
        const std::size_t first = value.find_first_not_of('0');
        value = first == std::string::npos ? "0" : value.substr(first);
        // 2^64 - 1 has 20 digits; equal-length strings of digits compare as numbers.
        if (value.size() > 20 || (value.size() == 20 && value > "18446744073709551615")) {
          return "the value " + quote_input(value) + " does not fit in 64 bits";
        }
        return "";
      },
      "", "unsigned decimal");
  return kCheck;
}

const CLI::Validator& non_negative_decimal() {
  static const CLI::Validator kCheck(
      [](std::string& value) -> std::string {
        const std::size_t point = value.find('.');
        const std::string whole = value.substr(0, point);
        const bool ok = all_digits(whole) &&
                        (point == std::string::npos || all_digits(value.substr(point + 1)));
        if (!ok) return "expected a non-negative decimal number, not " + quote_input(value);
        return "";
      },
      "", "non-negative decimal");
  return kCheck;
}

const CLI::Validator& non_empty() {
  static const CLI::Validator kCheck(
      [](std::string& value) -> std::string { return value.empty() ? "must not be empty" : ""; },
      "", "non-empty");
  return kCheck;
}

std::string unusable_directory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(dir, ec);
  if (ec) return dir + ": " + ec.message();
  for (;;) {
    const fs::file_status st = fs::status(p, ec);
    if (st.type() != fs::file_type::not_found) {
      if (ec) return dir + ": " + ec.message();
      if (fs::is_directory(st)) return "";
      return dir + ": " + p.string() + " is not a directory";
    }
    if (!p.has_relative_path()) return dir + ": no existing parent directory";
    p = p.parent_path();
  }
}

void print_error(const std::string& line) { std::cerr << escape_for_message(line) << "\n"; }

}  // namespace mprogsim::tools
