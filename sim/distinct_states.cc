// SPDX-License-Identifier: GPL-2.0
#include "sim/distinct_states.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace mprogsim::sim {

void DistinctStates::add(std::uint64_t hash) {
  const std::uint32_t index = static_cast<std::uint32_t>(hash >> (64 - kBits));
  const std::uint64_t rest = (hash << kBits) | (1ULL << (kBits - 1));
  const auto rank = static_cast<std::uint8_t>(std::countl_zero(rest) + 1);
  if (rank > registers_[index]) registers_[index] = rank;
}

double DistinctStates::estimate() const {
  constexpr double m = 1U << kBits;
  double sum = 0;
  int zeros = 0;
  for (std::uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  const double alpha = 0.7213 / (1 + 1.079 / m);
  const double raw = alpha * m * m / sum;
  if (raw <= 2.5 * m && zeros > 0) return m * std::log(m / zeros);  // small range
  return raw;
}

void DistinctStates::merge(const DistinctStates& other) {
  // 16 registers at a time (GCC and Clang vector types): a campaign merges a sketch
  // per workload while it holds its lock, and byte by byte that was 4,096 steps.
  using Block = std::uint8_t __attribute__((vector_size(16)));
  static_assert((1U << kBits) % sizeof(Block) == 0);
  for (std::size_t i = 0; i < registers_.size(); i += sizeof(Block)) {
    Block mine, theirs;
    std::memcpy(&mine, registers_.data() + i, sizeof(Block));
    std::memcpy(&theirs, other.registers_.data() + i, sizeof(Block));
    mine = mine > theirs ? mine : theirs;
    std::memcpy(registers_.data() + i, &mine, sizeof(Block));
  }
}

std::string DistinctStates::to_hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(registers_.size() * 2);
  for (std::uint8_t r : registers_) {
    out += kDigits[r >> 4];
    out += kDigits[r & 15];
  }
  return out;
}

bool DistinctStates::from_hex(const std::string& text) {
  if (text.size() != registers_.size() * 2) return false;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::array<std::uint8_t, 1U << kBits> parsed{};
  for (std::size_t i = 0; i < parsed.size(); i++) {
    const int hi = digit(text[2 * i]), lo = digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    parsed[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    if (parsed[i] > 64 - kBits + 1) return false;  // no rank can be larger
  }
  registers_ = parsed;
  return true;
}

}  // namespace mprogsim::sim
