// Exact a % d for 64-bit a and a divisor fixed in advance, without a
// division instruction (Lemire, Kaser and Kurz, "Faster remainder by direct
// computation", 2019): with M = floor((2^128 - 1) / d) + 1, the remainder is
// the high 64 bits of (M * a mod 2^128) * d. Exact for every a and every
// d >= 1. Hashed columns reduce every fingerprint by their bucket count, a
// few times per item and cross in a recommendation.
#pragma once

#include <cstdint>

namespace barista::internal {

// GCC and Clang on 64-bit targets (x86-64, AArch64); __extension__ keeps
// -Wpedantic quiet about the non-standard type.
__extension__ typedef unsigned __int128 Uint128;

class FastMod {
 public:
  FastMod() = default;
  explicit FastMod(uint64_t divisor) : m_(divisor == 0 ? 0 : ~static_cast<Uint128>(0) / divisor + 1), d_(divisor) {}

  uint64_t divisor() const { return d_; }

  // a % divisor(); divisor() must not be 0.
  uint64_t mod(uint64_t a) const {
    const Uint128 low = m_ * a;
    const Uint128 bottom = (static_cast<Uint128>(static_cast<uint64_t>(low)) * d_) >> 64;
    const Uint128 top = static_cast<Uint128>(static_cast<uint64_t>(low >> 64)) * d_;
    return static_cast<uint64_t>((bottom + top) >> 64);
  }

 private:
  Uint128 m_ = 0;
  uint64_t d_ = 1;
};

}  // namespace barista::internal
