// Hashing is part of the file format: it must match FarmHash's Fingerprint64
// and TensorFlow's feature columns bit for bit, on every platform.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "hash/fingerprint.h"
#include "hash/hash_index.h"

using namespace barista::internal;

TEST_CASE("fingerprint64 matches FarmHash's published Fingerprint64 vectors at every length branch") {
  // farmhashna::Hash64 (= Fingerprint64) vectors as published with
  // github.com/dgryski/go-farm (farmhash_test.go, column oh64na): lengths 0,
  // 1-3, 4-7, 8-16, 17-32, 33-64 and the > 64 loop.
  struct Vector {
    uint64_t expected;
    const char* input;
  };
  const Vector vectors[] = {
      {0x9ae16a3b2f90404fULL, ""},
      {0xb3454265b6df75e3ULL, "a"},
      {0xaa8d6e5242ada51eULL, "ab"},
      {0x24a5b3a074e7f369ULL, "abc"},
      {0x1a5502de4a1f8101ULL, "abcd"},
      {0xc329379e6a03c2cdULL, "abcdef"},
      {0xfee9d22990c82909ULL, "abcdefgh"},
      {0x332c8ed4dae5ba42ULL, "abcdefghi"},
      {0x4283d4ef43627f64ULL, "0123456789'01234"},
      {0x46a7416ed4861e3bULL, "0123456789=012345"},
      {0x80d73b843ba57db8ULL, "size:  a.out:  bad magic"},
      {0xb944f8a16261e414ULL, "C is as portable as Stonehedge!!"},
      {0xe8f89ab6df9bdd25ULL, "Discard medicine more than two years old."},
      {0x2a578b80bb82147cULL, "The days of the digital watch are numbered.  -Tom Stoppard"},
      {0x55182f8859eca4ceULL, "For every action there is an equal and opposite government program."},
      {0x7e85d7b050ed2967ULL,
       "There is no reason for any individual to have a computer in their home. -Ken Olsen, 1977"},
      {0x98eff6958c5e91aULL,
       "The fugacity of a constituent in a mixture of gases at a given temperature is proportional to its mole "
       "fraction.  Lewis-Randall Rule"},
      {0xc3f02c4ffd5d71e6ULL,
       "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
       "dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip "
       "ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu "
       "fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt "
       "mollit anim id est laborum."},
  };
  for (const Vector& v : vectors) {
    CAPTURE(v.input);
    CHECK(fingerprint64(std::string(v.input)) == v.expected);
  }
}

TEST_CASE("fingerprint64 matches TensorFlow's frozen Fingerprint64 and to_hash_bucket_fast") {
  // tensorflow/core/platform/fingerprint_test.cc, IsForeverFrozen.
  CHECK(fingerprint64("Hello") == 15404698994557526151ULL);
  CHECK(fingerprint64("World") == 18308117990299812472ULL);
  // tf.strings.to_hash_bucket_fast(['a', 'b', 'c', 'd'], 10) == [9, 2, 2, 5]
  // (string_to_hash_bucket_op_test.py).
  CHECK(fingerprint64("a") % 10 == 9);
  CHECK(fingerprint64("b") % 10 == 2);
  CHECK(fingerprint64("c") % 10 == 2);
  CHECK(fingerprint64("d") % 10 == 5);
}

TEST_CASE("fingerprint_cat64 chains reproduce TensorFlow's SparseCrossHashed vectors") {
  // sparse_cross_op_test.py: crossing 'batch1-FC1-F1' x 'batch1-FC2-F1' x
  // 'batch1-FC3-F1'. With no buckets TensorFlow reduces modulo INT64_MAX.
  auto cross = [](uint64_t key) {
    uint64_t h = key;
    for (const char* v : {"batch1-FC1-F1", "batch1-FC2-F1", "batch1-FC3-F1"})
      h = fingerprint_cat64(h, fingerprint64(v));
    return h;
  };
  const uint64_t int64_max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  CHECK(cross(kDefaultCrossHashKey) % int64_max == 1971693436396284976ULL);      // test_hashed_zero_bucket_no_hash_key
  CHECK(cross(kDefaultCrossHashKey + 1) % int64_max == 4847552627144134031ULL);  // test_hashed_zero_bucket
  CHECK(cross(kDefaultCrossHashKey) % 100 == 83);                                // test_hashed_no_hash_key
  CHECK(cross(kDefaultCrossHashKey + 1) % 100 == 31);                            // test_hashed_output
}

TEST_CASE("integers hash as their decimal string, as TensorFlow's as_string") {
  CHECK(fingerprint64_of_int(0) == fingerprint64("0"));
  CHECK(fingerprint64_of_int(42) == fingerprint64("42"));
  CHECK(fingerprint64_of_int(-7) == fingerprint64("-7"));
  CHECK(fingerprint64_of_int(std::numeric_limits<int64_t>::min()) == fingerprint64("-9223372036854775808"));
  CHECK(fingerprint64_of_int(std::numeric_limits<int64_t>::max()) == fingerprint64("9223372036854775807"));
  char buffer[24];
  CHECK(std::string(buffer, format_int64(-1234567890123LL, buffer)) == "-1234567890123");
}

TEST_CASE("hash index finds every key and nothing else, also when full of collisions") {
  std::vector<uint64_t> fingerprints;
  for (uint64_t i = 0; i < 1000; ++i) fingerprints.push_back(fingerprint64("key-" + std::to_string(i)));
  // Keys that share their low bits collide on the same slot.
  for (uint64_t i = 1; i <= 20; ++i) fingerprints.push_back(i << 40);
  const BuiltHashIndex built = build_hash_index(fingerprints);
  CHECK((built.slots.size() & (built.slots.size() - 1)) == 0);
  CHECK(built.slots.size() >= 2 * fingerprints.size());
  HashIndexView view;
  view.fingerprints = fingerprints.data();
  view.count = static_cast<uint32_t>(fingerprints.size());
  view.slots = built.slots.data();
  view.mask = static_cast<uint32_t>(built.slots.size() - 1);
  view.max_probe = built.max_probe;
  for (size_t i = 0; i < fingerprints.size(); ++i) CHECK(view.find(fingerprints[i]) == static_cast<int64_t>(i));
  for (uint64_t i = 0; i < 1000; ++i) CHECK(view.find(fingerprint64("absent-" + std::to_string(i))) == -1);
  CHECK(view.find(uint64_t{21} << 40) == -1);
}

TEST_CASE("a hostile hash index cannot loop or read out of range") {
  // Every slot taken, pointing past the key array: lookups stop after
  // max_probe and never return a position >= count.
  std::vector<uint64_t> fingerprints = {1, 2};
  std::vector<uint32_t> slots(8, 7);  // position 6: out of range
  HashIndexView view{fingerprints.data(), 2, slots.data(), 7, 8};
  CHECK(view.find(1) == -1);
  CHECK(view.find(12345) == -1);
}
