// SPDX-License-Identifier: GPL-2.0
// Reading hostile JSON input (scenario and trace files) within fixed bounds: the
// file size, the nesting depth and the name length are limited, duplicate keys are
// refused (JSON leaves them open; "last one wins" would silently drop a part of the
// file), and nothing recurses on the input's size. Each limit is in README.md,
// "Reliability"; each violation is a ScenarioError with a JSON path (exit 2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace mprogsim {

inline constexpr std::size_t kMaxInputBytes = std::size_t{64} << 20;  // 64 MiB
inline constexpr int kMaxJsonDepth = 64;
inline constexpr std::size_t kMaxNameLength = 64;
inline constexpr std::size_t kMaxKeyLength = 256;  // object keys: field names, names
inline constexpr std::size_t kMaxScenarioSteps = 1'000'000;

// Parses `text`, refusing duplicate keys, keys longer than kMaxKeyLength and nesting
// deeper than kMaxJsonDepth.
// Throws ScenarioError ("malformed JSON: ...", or "$.steps: duplicate key").
[[nodiscard]] nlohmann::ordered_json parse_json_strictly(std::string_view text);

// The whole content of `path`, read in bounded chunks: a file larger than
// kMaxInputBytes (or an endless one such as /dev/zero) is refused once the limit is
// passed, without reading on. Throws ScenarioError ("cannot read the file: ...").
[[nodiscard]] std::string read_input_file(const std::string& path);

// The typed getters both readers (scenario.cc, trace.cc) use: each throws
// ScenarioError("<where>: <what>") when the value is not what the format says.
namespace json_input {
[[noreturn]] void fail(const std::string& where, const std::string& what);
[[nodiscard]] std::string get_string(const nlohmann::ordered_json& v, const std::string& where);
// A non-negative integer.
[[nodiscard]] std::uint64_t get_u64(const nlohmann::ordered_json& v, const std::string& where);
// A non-negative integer that fits in 32 bits.
[[nodiscard]] std::uint32_t get_u32(const nlohmann::ordered_json& v, const std::string& where);
}  // namespace json_input

}  // namespace mprogsim
