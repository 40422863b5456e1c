// SPDX-License-Identifier: GPL-2.0
// The project's randomness: SplitMix64 (SplitMix64, also the diff's random phase)
// seeding xoshiro256** (Rng: simulator, workloads), with our own bounded draw, and the
// one weighted choice every generator uses. No std distributions (their algorithms are
// unspecified), so a seed means the same run on every platform and compiler.
#pragma once

#include <cstdint>
#include <iterator>

namespace mprogsim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& word : s_) word = splitmix(seed);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound), bound > 0 (the modulo bias at our small bounds does not
  // matter; determinism does). A power of two takes the mask, which is the same
  // number: the scheduler draws among 1, 2 or 4 threads at most of its points, and a
  // 64-bit division costs more than the rest of the draw.
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t x = next();
    return (bound & (bound - 1)) == 0 ? x & (bound - 1) : x % bound;
  }

  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// SplitMix64 on its own: one word of state, each next() one splitmix step.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() { return Rng::splitmix(state_); }
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }

 private:
  std::uint64_t state_;
};

// Weighted choice over a table of {weight, item} pairs: the sum of the weights, and
// the item a point in [0, total_weight) falls on (points are taken in table order).
template <typename Table>
constexpr std::uint64_t total_weight(const Table& table) {
  std::uint64_t total = 0;
  for (const auto& [weight, item] : table) total += weight;
  return total;
}

template <typename Table>
constexpr auto weighted_item(const Table& table, std::uint64_t point) {
  for (const auto& [weight, item] : table) {
    if (point < weight) return item;
    point -= weight;
  }
  return std::prev(std::end(table))->second;  // past the end: not a point of the table
}

// A stable 64-bit mix for hashing (not random, just well spread).
inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

}  // namespace mprogsim
