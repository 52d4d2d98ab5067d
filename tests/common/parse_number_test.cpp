// Numbers read from text: the same numbers as strtod / strtoll read in the
// "C" locale, and still those under a locale whose decimal mark is a comma.
#include <doctest/doctest.h>

#include <locale.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/parse_number.h"
#include "config/json.h"
#include "data/dataset.h"
#include "data/timestamp.h"
#include "support/temp_dir.h"

using namespace barista::internal;
using barista_test::TempDir;

namespace {

// Edge cases, then random short strings over the characters numbers use.
std::vector<std::string> texts() {
  std::vector<std::string> out = {"",
                                  "0",
                                  "1.5",
                                  ".5",
                                  "5.",
                                  ".",
                                  "-",
                                  "+",
                                  "+-1",
                                  "-+1",
                                  " 7",
                                  "\t-7",
                                  "7 ",
                                  "1e",
                                  "1e+",
                                  "1e-3",
                                  "1E3",
                                  "1e400",
                                  "-1e400",
                                  "1e-310",
                                  "1e-400",
                                  "-1e-400",
                                  "0.0e99999",
                                  "0.000001e-320",
                                  "123456789012345678901234567890e-340",
                                  "0x10",
                                  "-0x1.8p1",
                                  "0x1p-1080",
                                  "0x1p2000",
                                  "0x",
                                  "0x.8",
                                  "0xinf",
                                  "inf",
                                  "-Infinity",
                                  "nan",
                                  "+NaN",
                                  "nan(12)",
                                  "1,5",
                                  "9223372036854775807",
                                  "-9223372036854775808",
                                  "9223372036854775808",
                                  "-9223372036854775809",
                                  "007"};
  std::mt19937 random(7);
  const std::string alphabet = "0123456789.eE+-xXpPabfinINtyAN ()\t,";
  for (int n = 0; n < 200000; ++n) {
    std::string s(random() % 12, ' ');
    for (char& c : s) c = alphabet[random() % alphabet.size()];
    out.push_back(s);
  }
  return out;
}

bool same(double a, double b) { return std::isnan(a) ? std::isnan(b) : a == b && std::signbit(a) == std::signbit(b); }

}  // namespace

TEST_CASE("numbers from text: what strtod and strtoll read in the C locale, and nothing else") {
  int differences = 0;
  for (const std::string& text : texts()) {
    char* end = nullptr;
    errno = 0;
    const double d = std::strtod(text.c_str(), &end);
    const bool d_complete = !text.empty() && end == text.c_str() + text.size();
    const ParsedDouble parsed = parse_double(text);
    bool agree = parsed.complete == d_complete;
    if (agree && d_complete) agree = parsed.out_of_range == (errno == ERANGE) && same(parsed.value, d);

    errno = 0;
    const long long i = std::strtoll(text.c_str(), &end, 10);
    const bool i_ok = !text.empty() && end == text.c_str() + text.size() && errno == 0;
    int64_t value = 0;
    const bool ok = parse_int64(text, &value);
    agree = agree && ok == i_ok && (!ok || value == i);
    if (!agree && ++differences <= 10) FAIL_CHECK("'" << text << "' reads otherwise than strtod / strtoll");
  }
  CHECK(differences == 0);
}

TEST_CASE("numbers from text are read the same under a locale whose decimal mark is a comma") {
  // A locale of our own (only LC_NUMERIC, "," as the decimal mark), so that
  // the test does not depend on which locales the machine has installed.
  TempDir dir;
  dir.write("comma.def", "LC_NUMERIC\ndecimal_point \",\"\nthousands_sep \".\"\ngrouping 3;3\nEND LC_NUMERIC\n");
  const std::string command =
      "localedef -c -f ANSI_X3.4-1968 -i '" + dir.file("comma.def") + "' '" + dir.file("comma") + "' >/dev/null 2>&1";
  (void)std::system(command.c_str());  // exits 1 for the categories it leaves out
  if (!std::filesystem::exists(dir.file("comma/LC_NUMERIC"))) {
    MESSAGE("skipped: localedef could not build a locale (not installed?)");
    return;
  }
  const char* old_locpath = std::getenv("LOCPATH");
  const std::string saved = old_locpath != nullptr ? old_locpath : "";
  setenv("LOCPATH", dir.path().c_str(), 1);
  locale_t comma = static_cast<locale_t>(nullptr);
  {
#if defined(__SANITIZE_ADDRESS__)
    // glibc keeps the LOCPATH it split into a list in memory it never frees
    // (41 bytes from __argz_add_sep), freelocale or not: not a leak of ours.
    __lsan::ScopedDisabler glibc_keeps_the_path;
#endif
    comma = newlocale(LC_NUMERIC_MASK, "comma", static_cast<locale_t>(nullptr));
  }
  if (old_locpath != nullptr) {
    setenv("LOCPATH", saved.c_str(), 1);
  } else {
    unsetenv("LOCPATH");
  }
  REQUIRE(comma != static_cast<locale_t>(nullptr));
  const locale_t previous = uselocale(comma);
  // The locale is in force: the C library reads "1.5" as 1 and "1,5" as 1.5.
  CHECK(std::strtod("1.5", nullptr) == 1.0);
  CHECK(std::strtod("1,5", nullptr) == 1.5);

  CHECK(parse_double("1.5").value == 1.5);
  CHECK_FALSE(parse_double("1,5").complete);
  double v = 0.0;
  CHECK((parse_finite_double("-2.25e-1", &v) && v == -0.225));

  // JSON in and out: the config and the model's metadata.
  json::Value value;
  REQUIRE(json::parse(R"({"x": 0.25, "y": 1e-3, "z": 12.5})", &value).ok());
  CHECK(value.find("x")->number == 0.25);
  CHECK(value.find("y")->number == 0.001);
  CHECK(json::serialize(value) == R"({"x":0.25,"y":0.001,"z":12.5})");

  // Time stamps with a fraction of a second, labels, weights, number rules.
  int64_t seconds = 0;
  std::string why;
  CHECK(parse_time("1294135200.75", &seconds, &why));
  CHECK(seconds == 1294135200);
  dir.write("log.csv", "u,i,t,rating,w\nalice,latte,1,0.5,1.5\nbob,tea,2,0.25,2.5\ncarol,mocha,3,0.75,0.5\n");
  TrainConfig config;
  const Status s = parse_train_config(R"({"data": {"interactions": {"path": "log.csv", "user": "u", "item": "i",
      "time": "t", "label": "rating", "weight": "w", "drop": [{"column": "w", "at_most": 0.75}]}}})",
                                      dir.path(), &config);
  REQUIRE_MESSAGE(s.ok(), s.message());
  Dataset data;
  const Status loaded = load_dataset(config, &data);
  REQUIRE_MESSAGE(loaded.ok(), loaded.message());
  REQUIRE(data.interactions.size() == 2);  // carol's row dropped: weight 0.5 <= 0.75
  CHECK(data.interactions[0].label == 0.5f);
  CHECK(data.interactions[1].label == 0.25f);
  CHECK(data.interactions[1].weight == 2.5f);

  uselocale(previous);
  freelocale(comma);
}
