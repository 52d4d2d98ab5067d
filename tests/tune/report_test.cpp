// The tune report: well-formed XHTML whatever the log holds (checked here
// by a small well-formedness checker, and by Python's XML parser in CTest,
// tests/CMakeLists.txt), one point per trial with an objective, the
// importance ranking, and no NaN or infinity on degenerate logs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "tune/report.h"

using namespace barista::internal;

namespace {

// ---- A well-formedness checker: enough of XML 1.0 for the report ----------

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.' ||
         (static_cast<unsigned char>(c) & 0x80);
}

// An entity reference at s[i] == '&': the predefined five or a character
// reference; returns the position after ';', or npos.
size_t entity_end(const std::string& s, size_t i) {
  const size_t semicolon = s.find(';', i);
  if (semicolon == std::string::npos || semicolon - i > 12) return std::string::npos;
  const std::string name = s.substr(i + 1, semicolon - i - 1);
  for (const char* known : {"amp", "lt", "gt", "quot", "apos"}) {
    if (name == known) return semicolon + 1;
  }
  if (name.size() >= 2 && name[0] == '#') {
    const bool hex = name[1] == 'x';
    const std::string digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return std::string::npos;
    for (char c : digits) {
      if (!(hex ? std::isxdigit(static_cast<unsigned char>(c)) : std::isdigit(static_cast<unsigned char>(c)))) {
        return std::string::npos;
      }
    }
    return semicolon + 1;
  }
  return std::string::npos;
}

// "" when `s` is one well-formed element (after an optional doctype), else
// what is wrong and where: tags balanced and named, attributes quoted and
// unique, '<' never in text or values, '&' only as an entity, no control
// characters.
std::string xml_problem(const std::string& s) {
  std::vector<std::string> open;
  bool root_done = false;
  size_t i = 0;
  auto at = [&](const std::string& what) { return what + " at offset " + std::to_string(i); };
  auto read_name = [&]() {
    const size_t start = i;
    while (i < s.size() && name_char(s[i])) ++i;
    return s.substr(start, i - start);
  };
  auto skip_space = [&]() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  };
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return at("a control character");
    if (c == '&') {
      const size_t end = entity_end(s, i);
      if (end == std::string::npos) return at("a bad entity");
      if (open.empty()) return at("text outside the root");
      i = end;
      continue;
    }
    if (c != '<') {
      if (open.empty() && !std::isspace(c)) return at("text outside the root");
      ++i;
      continue;
    }
    if (s.compare(i, 9, "<!DOCTYPE") == 0) {
      if (!open.empty() || root_done) return at("a misplaced doctype");
      i = s.find('>', i);
      if (i == std::string::npos) return "an unclosed doctype";
      ++i;
      continue;
    }
    if (s.compare(i, 4, "<!--") == 0) {
      i = s.find("-->", i);
      if (i == std::string::npos) return "an unclosed comment";
      i += 3;
      continue;
    }
    if (s.compare(i, 2, "</") == 0) {
      i += 2;
      const std::string name = read_name();
      skip_space();
      if (i >= s.size() || s[i] != '>') return at("a malformed end tag");
      if (open.empty() || open.back() != name) return at("</" + name + "> closes nothing open");
      open.pop_back();
      if (open.empty()) root_done = true;
      ++i;
      continue;
    }
    ++i;
    const std::string name = read_name();
    if (name.empty()) return at("a '<' that starts no tag");
    if (open.empty() && root_done) return at("a second root");
    std::vector<std::string> attributes;
    bool closed = false;
    while (true) {
      const size_t before = i;
      skip_space();
      if (i >= s.size()) return "an unclosed tag <" + name;
      if (s[i] == '>') {
        ++i;
        break;
      }
      if (s.compare(i, 2, "/>") == 0) {
        i += 2;
        closed = true;
        break;
      }
      if (i == before) return at("attributes not separated in <" + name);
      const std::string attribute = read_name();
      if (attribute.empty()) return at("a malformed attribute in <" + name);
      if (std::find(attributes.begin(), attributes.end(), attribute) != attributes.end()) {
        return at("attribute " + attribute + " twice");
      }
      attributes.push_back(attribute);
      skip_space();
      if (i >= s.size() || s[i] != '=') return at("attribute " + attribute + " without a value");
      ++i;
      skip_space();
      if (i >= s.size() || (s[i] != '"' && s[i] != '\'')) return at("attribute " + attribute + " unquoted");
      const char quote = s[i++];
      while (i < s.size() && s[i] != quote) {
        if (s[i] == '<') return at("'<' in attribute " + attribute);
        if (s[i] == '&') {
          const size_t end = entity_end(s, i);
          if (end == std::string::npos) return at("a bad entity in attribute " + attribute);
          i = end;
        } else {
          ++i;
        }
      }
      if (i >= s.size()) return "attribute " + attribute + " not closed";
      ++i;
    }
    if (closed) {
      if (open.empty()) root_done = true;
    } else {
      open.push_back(name);
    }
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  if (!root_done) return "no root element";
  return "";
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}

// The SVG element with id `id`.
std::string svg_with_id(const std::string& html, const std::string& id) {
  const size_t at = html.find("id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const size_t start = html.rfind("<svg", at);
  const size_t end = html.find("</svg>", at);
  return html.substr(start, end + 6 - start);
}

// Neither NaN nor infinity written out, in any case.
bool has_non_finite(const std::string& html) {
  std::string lower = html;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("nan") != std::string::npos || lower.find("inf") != std::string::npos;
}

// ---- Logs built by hand ------------------------------------------------

json::Value number(double v) {
  json::Value value;
  value.type = json::Type::Number;
  value.number = v;
  return value;
}

json::Value text(const std::string& s) {
  json::Value value;
  value.type = json::Type::String;
  value.string = s;
  return value;
}

Parameter numeric(const std::string& key, Parameter::Kind kind, double low, double high) {
  Parameter p;
  p.id = key;
  p.key = key;
  p.kind = kind;
  p.low = low;
  p.high = high;
  return p;
}

Parameter choice(const std::string& key, const std::vector<json::Value>& values) {
  Parameter p;
  p.id = key;
  p.key = key;
  p.kind = Parameter::Kind::Choice;
  for (const json::Value& v : values) p.options.push_back({v, {}});
  return p;
}

// A parameter's value as the search draws it: x is log for loguniform and
// the option's index for a choice.
ParameterValue drawn(const Parameter& p, double value_or_index) {
  ParameterValue v;
  v.id = p.id;
  v.key = p.key;
  if (p.kind == Parameter::Kind::Choice) {
    v.x = value_or_index;
    v.value = p.options[static_cast<size_t>(value_or_index)].value;
  } else {
    v.x = p.kind == Parameter::Kind::LogUniform ? std::log(value_or_index) : value_or_index;
    v.value = number(value_or_index);
  }
  return v;
}

TrialRecord trial(uint32_t number, TrialRecord::Outcome outcome, std::vector<double> hr, Assignment params = {}) {
  TrialRecord t;
  t.number = number;
  t.outcome = outcome;
  t.validation_hr = std::move(hr);
  t.objective = t.validation_hr.empty() ? -1.0 : *std::max_element(t.validation_hr.begin(), t.validation_hr.end());
  t.params = std::move(params);
  t.seconds = 1.5 * (number + 1);
  if (outcome == TrialRecord::Outcome::Stopped) t.stopped_at_rung = static_cast<uint32_t>(t.validation_hr.size());
  return t;
}

// A small run: the base, two done, one stopped, two failed (one after an
// evaluation), a parameter whose key needs escaping, a nested choice.
struct SampleRun {
  Parameter rate = numeric("training.deep_optimizer.learning_rate", Parameter::Kind::LogUniform, 1e-4, 1e-2);
  Parameter length = numeric("history.length", Parameter::Kind::Int, 5, 50);
  Parameter embedding = choice("item_id.embedding", {number(16), number(32), number(64)});
  Parameter odd = numeric("odd.<&\"key'>", Parameter::Kind::Uniform, 0.0, 1.0);
  Parameter sampling = choice("training.sampling", {text("uniform"), text("popul<a>rity")});
  Parameter exponent = numeric("training.popularity_exponent", Parameter::Kind::Uniform, 0.25, 1.0);
  TrialLog log;

  SampleRun() {
    exponent.id = "training.sampling=1/training.popularity_exponent";
    log.has_header = true;
    log.header.run_id = "0123abcd";
    log.header.config_path = "configs/<shop> & \"more\".json";
    log.header.data_fingerprint = "feedbeef";
    log.header.trials = 8;
    log.header.max_epochs = 9;
    log.header.version = "0.9.0";
    using O = TrialRecord::Outcome;
    log.trials.push_back(trial(0, O::Done, {0.10, 0.12, 0.125}));
    log.trials.push_back(trial(1, O::Done, {0.11, 0.15, 0.16},
                               {drawn(rate, 1e-3), drawn(length, 20), drawn(embedding, 1), drawn(odd, 0.5),
                                drawn(sampling, 1), drawn(exponent, 0.5)}));
    log.trials.push_back(trial(3, O::Stopped, {0.05},
                               {drawn(rate, 5e-3), drawn(length, 7), drawn(embedding, 0), drawn(odd, 0.1),
                                drawn(sampling, 0)}));
    log.trials.push_back(trial(2, O::Failed, {},
                               {drawn(rate, 9e-3), drawn(length, 50), drawn(embedding, 2), drawn(odd, 0.9),
                                drawn(sampling, 0)}));
    log.trials.back().error = "out of memory <alloc> & \"friends\" \x01 \xff\xfe end";
    log.trials.push_back(trial(4, O::Failed, {0.09},
                               {drawn(rate, 2e-4), drawn(length, 12), drawn(embedding, 1), drawn(odd, 0.3),
                                drawn(sampling, 1), drawn(exponent, 0.9)}));
    log.trials.back().error = "diverged";
    log.trials.push_back(trial(5, O::Done, {0.13, 0.14, 0.145},
                               {drawn(rate, 3e-4), drawn(length, 30), drawn(embedding, 2), drawn(odd, 0.7),
                                drawn(sampling, 0)}));
    for (uint64_t seed : {1, 2, 3}) {
      FinalRecord best;
      best.which = "best";
      best.trial = 1;
      best.seed = seed;
      best.validation_hr = 0.16 + 0.001 * static_cast<double>(seed);
      best.test_hr = 0.15 + 0.002 * static_cast<double>(seed);
      best.test_ndcg = 0.08;
      best.model_path = "best-" + std::to_string(seed) + ".barista";
      log.finals.push_back(best);
      FinalRecord base = best;
      base.which = "base";
      base.trial = 0;
      base.test_hr = 0.12;
      base.model_path.clear();
      log.finals.push_back(base);
    }
    // Confirmation: trial 1 holds on the other seeds (mean 0.1550), trial
    // 5 does not (0.1317), the base 0.1250; a failed run counts as -1.
    for (const auto& [number, seed, hr] : std::vector<std::tuple<uint32_t, uint64_t, double>>{
             {0, 2, 0.13}, {0, 3, 0.12}, {1, 2, 0.15}, {1, 3, 0.155}, {5, 2, 0.12}, {5, 3, 0.13}}) {
      ConfirmRecord c;
      c.trial = number;
      c.seed = seed;
      c.objective = hr;
      c.validation_hr = {hr};
      log.confirms.push_back(c);
    }
    log.baselines.push_back({"MostPop", 0.05, 0.02});
    log.baselines.push_back({"EASE <lambda 500>", 0.13, 0.07});
    log.problems.push_back("trials.jsonl:7: expected ':' <here>");
  }
  std::vector<const Parameter*> parameters() const { return {&rate, &length, &embedding, &odd, &sampling, &exponent}; }
};

}  // namespace

TEST_CASE("tune report: the xml checker itself") {
  CHECK(xml_problem("<!DOCTYPE html>\n<a x=\"1\"><b/>t &amp; &#233;<c y='2'></c></a>\n") == "");
  CHECK(xml_problem("<a><b></a></b>") != "");
  CHECK(xml_problem("<a x=1></a>") != "");
  CHECK(xml_problem("<a>&nbsp;</a>") != "");
  CHECK(xml_problem("<a>1 < 2</a>") != "");
  CHECK(xml_problem("<a x=\"<\"></a>") != "");
  CHECK(xml_problem("<a>") != "");
  CHECK(xml_problem("<a/><b/>") != "");
}

TEST_CASE("tune report: a sample run is well-formed, escaped and complete") {
  const SampleRun run;
  const std::string html = tune_report_html(run.log, run.parameters());
  INFO(html);
  CHECK(xml_problem(html) == "");
  CHECK(html.rfind("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"", 0) == 0);
  CHECK(html.find("<meta charset=\"utf-8\"/>") != std::string::npos);
  CHECK(count(html, "<svg xmlns=\"http://www.w3.org/2000/svg\"") == count(html, "<svg"));
  // Every string from the log escaped, and no raw one left.
  CHECK(html.find("odd.&lt;&amp;&quot;key&#39;&gt;") != std::string::npos);
  CHECK(html.find("odd.<&") == std::string::npos);
  CHECK(html.find("configs/&lt;shop&gt; &amp; &quot;more&quot;.json") != std::string::npos);
  CHECK(html.find("out of memory &lt;alloc&gt; &amp; &quot;friends&quot;") != std::string::npos);
  CHECK(html.find("popul&lt;a&gt;rity") != std::string::npos);
  CHECK(html.find("EASE &lt;lambda 500&gt;") != std::string::npos);
  CHECK(html.find("expected &#39;:&#39; &lt;here&gt;") != std::string::npos);
  CHECK(html.find('\x01') == std::string::npos);
  CHECK(html.find("\xff") == std::string::npos);
  // The header: the best trial (the finals' choice) and the base.
  CHECK(html.find("trial 1: validation HR@10 0.1600 (+0.0350 over the base); mean over 3 seeds 0.1550") !=
        std::string::npos);
  // The confirmation: candidates by their mean, the chosen one marked.
  const size_t chosen = html.find("<tr class=\"best-row\"><td class=\"num\">1</td><td class=\"num\">0.1600</td>"
                                  "<td>seed 2: 0.1500, seed 3: 0.1550</td><td class=\"num\">0.1550</td></tr>");
  CHECK(chosen != std::string::npos);
  CHECK(chosen < html.find("<td class=\"num\">5</td><td class=\"num\">0.1450</td>"));
  CHECK(html.find("<td class=\"num\">5</td><td class=\"num\">0.1450</td>") <
        html.find("<td class=\"num\">0</td><td class=\"num\">0.1250</td>"));
  CHECK(html.find("validation HR@10 0.1250") != std::string::npos);
  CHECK(html.find("6 (3 done, 1 stopped early, 2 failed)") != std::string::npos);
  // The finals: mean and range over the seeds; the baselines.
  CHECK(html.find("0.1540 (0.1520 \xE2\x80\x93 0.1560)") != std::string::npos);
  CHECK(html.find("<td>MostPop</td>") != std::string::npos);
  // Plot 1: a point per trial with an objective (the failed one after an
  // evaluation included), a cross below for the one without.
  const std::string plot = svg_with_id(html, "objective-plot");
  REQUIRE(!plot.empty());
  const size_t with_objective = static_cast<size_t>(
      std::count_if(run.log.trials.begin(), run.log.trials.end(), [](const TrialRecord& t) { return t.objective >= 0; }));
  CHECK(with_objective == 5);
  CHECK(count(plot, "class=\"pt ") == with_objective);
  CHECK(count(plot, "class=\"pt done\"") == 3);
  CHECK(count(plot, "class=\"pt stopped\"") == 1);
  CHECK(count(plot, "class=\"nopt failed\"") == 2);  // trial 2 and the legend's cross
  CHECK(plot.find("class=\"best-line\"") != std::string::npos);
  // A plot per parameter with trials (6 at most), each titled with its importance.
  CHECK(count(html, "id=\"param-plot-") == 6);
  size_t numbers = 0, choices = 0;
  for (int i = 0; i < 6; ++i) {
    const std::string p = svg_with_id(html, "param-plot-" + std::to_string(i));
    numbers += p.find("\xE2\x80\x94 |Spearman \xCF\x81| 0.") != std::string::npos;
    choices += p.find("\xE2\x80\x94 eta\xC2\xB2 0.") != std::string::npos;
  }
  CHECK(numbers == 4);
  CHECK(choices == 2);
  // The loguniform axis is labelled in the real values.
  const std::string rate_plot = svg_with_id(html, "param-plot-" + [&] {
    const auto ranked = parameter_importance(run.log, run.parameters());
    for (size_t i = 0; i < ranked.size(); ++i) {
      if (ranked[i].parameter == &run.rate) return std::to_string(i);
    }
    return std::string("?");
  }());
  CHECK(rate_plot.find(">1e-4</text>") != std::string::npos);
  CHECK(rate_plot.find(">0.001</text>") != std::string::npos);
  CHECK(rate_plot.find(">0.01</text>") != std::string::npos);
  CHECK(rate_plot.find("(log scale)") != std::string::npos);
  // The trials, best first.
  const size_t first = html.find("<tr class=\"best-row\"><td class=\"num\">1</td>");
  CHECK(first != std::string::npos);
  CHECK(first < html.find("<td class=\"num\">5</td><td class=\"done\">"));
  CHECK(html.find("<td class=\"num\">5</td><td class=\"done\">") < html.find("<td class=\"num\">2</td><td class=\"failed\">"));
  CHECK(html.find("stopped at epoch 1") != std::string::npos);
  CHECK_FALSE(has_non_finite(html));

  // For CTest's check with a real XML parser (tests/CMakeLists.txt).
  if (const char* path = std::getenv("BARISTA_REPORT_OUT")) {
    std::ofstream(path, std::ios::binary) << html;
  }
}

TEST_CASE("tune report: the importance ranks the parameter the objective follows first") {
  Parameter a = numeric("a", Parameter::Kind::Uniform, 0.0, 1.0);
  Parameter b = numeric("b", Parameter::Kind::LogUniform, 1e-4, 1e-1);
  Parameter c = choice("c", {number(1), number(2), number(3)});
  Parameter d = numeric("d", Parameter::Kind::Int, 1, 100);
  const std::vector<const Parameter*> parameters = {&a, &c, &d, &b};
  TrialLog log;
  log.trials.push_back(trial(0, TrialRecord::Outcome::Done, {0.1}));
  uint64_t state = 12345;
  auto uniform = [&state] {  // a fixed LCG, so that the test does not depend on a library's random numbers
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  for (uint32_t n = 1; n <= 40; ++n) {
    const double bv = std::pow(10.0, -4.0 + 3.0 * uniform());
    // Monotone in b (and not linear in it), not at all in the others.
    const double objective = 0.05 + 0.01 * (std::log10(bv) + 4.0) * (std::log10(bv) + 4.0);
    log.trials.push_back(trial(n, n % 4 == 0 ? TrialRecord::Outcome::Stopped : TrialRecord::Outcome::Done,
                               {objective / 2, objective},
                               {drawn(a, uniform()), drawn(b, bv), drawn(c, std::floor(3 * uniform())),
                                drawn(d, std::floor(1 + 99 * uniform()))}));
  }
  const std::vector<ParameterImportance> ranked = parameter_importance(log, parameters);
  REQUIRE(ranked.size() == 4);
  CHECK(ranked[0].parameter == &b);
  CHECK(ranked[0].importance == doctest::Approx(1.0));
  CHECK(ranked[0].trials == 40);  // trial 0 sets no parameter
  for (size_t i = 1; i < ranked.size(); ++i) CHECK(ranked[i].importance < 0.5);
  const std::string html = tune_report_html(log, parameters);
  CHECK(xml_problem(html) == "");
  CHECK(svg_with_id(html, "param-plot-0").find("aria-label=\"b \xE2\x80\x94 |Spearman \xCF\x81| 1.00 (n = 40)\"") !=
        std::string::npos);
  CHECK(count(svg_with_id(html, "objective-plot"), "class=\"pt ") == 41);

  // A choice the objective follows: eta^2 ranks it first.
  for (TrialRecord& t : log.trials) {
    for (const ParameterValue& v : t.params) {
      if (v.id == "c") t.objective = 0.1 + 0.05 * v.x + 0.001 * static_cast<double>(t.number % 3);
    }
  }
  const std::vector<ParameterImportance> by_choice = parameter_importance(log, parameters);
  CHECK(by_choice[0].parameter == &c);
  CHECK(by_choice[0].importance > 0.9);
  CHECK(svg_with_id(tune_report_html(log, parameters), "param-plot-0").find("aria-label=\"c \xE2\x80\x94 eta\xC2\xB2") !=
        std::string::npos);
}

TEST_CASE("tune report: degenerate logs stay well-formed, without NaN or infinity") {
  using O = TrialRecord::Outcome;
  const SampleRun run;
  std::vector<std::pair<const char*, TrialLog>> logs;
  logs.push_back({"empty", TrialLog()});
  TrialLog header_only;
  header_only.has_header = true;
  logs.push_back({"header only", header_only});
  TrialLog all_failed;
  for (uint32_t n = 0; n < 3; ++n) {
    all_failed.trials.push_back(trial(n, O::Failed, {}, n == 0 ? Assignment{} : Assignment{drawn(run.rate, 1e-3)}));
    all_failed.trials.back().error = "no data";
  }
  logs.push_back({"all failed", all_failed});
  TrialLog one;
  one.trials.push_back(trial(0, O::Done, {0.2}));
  logs.push_back({"one trial", one});
  // Every value and objective the same: no spread on either axis.
  TrialLog flat;
  for (uint32_t n = 0; n < 5; ++n) {
    flat.trials.push_back(trial(n, O::Done, {0.0},
                                {drawn(run.rate, 1e-3), drawn(run.length, 10), drawn(run.embedding, 1),
                                 drawn(run.odd, 0.0), drawn(run.sampling, 0)}));
  }
  logs.push_back({"flat", flat});
  // Numbers no run writes: NaN and infinite objective, seconds and x.
  TrialLog broken = run.log;
  broken.trials[1].objective = std::numeric_limits<double>::quiet_NaN();
  broken.trials[2].seconds = std::numeric_limits<double>::infinity();
  broken.trials[5].params[0].x = std::numeric_limits<double>::quiet_NaN();
  broken.trials[5].params[0].value = number(std::numeric_limits<double>::infinity());
  broken.trials[5].params[2].x = 17;  // an option the space lacks
  broken.trials[4].objective = std::numeric_limits<double>::infinity();
  broken.finals[0].test_hr = std::numeric_limits<double>::quiet_NaN();
  broken.baselines[0].test_ndcg = -std::numeric_limits<double>::infinity();
  logs.push_back({"broken numbers", broken});

  // A parameter with an empty range or no options.
  Parameter empty_choice = choice("empty", {});
  Parameter point = numeric("point", Parameter::Kind::LogUniform, 0.01, 0.01);
  std::vector<const Parameter*> parameters = run.parameters();
  parameters.push_back(&empty_choice);
  parameters.push_back(&point);
  parameters.push_back(nullptr);

  for (const auto& [name, log] : logs) {
    for (const std::vector<const Parameter*>& space : {std::vector<const Parameter*>{}, parameters}) {
      CAPTURE(name);
      const std::string html = tune_report_html(log, space);
      INFO(html);
      CHECK(xml_problem(html) == "");
      CHECK_FALSE(has_non_finite(html));
      size_t with_objective = 0;
      for (const TrialRecord& t : log.trials) with_objective += std::isfinite(t.objective) && t.objective >= 0;
      CHECK(count(svg_with_id(html, "objective-plot"), "class=\"pt ") == with_objective);
    }
  }
  for (const ParameterImportance& r : parameter_importance(flat, parameters)) {
    CHECK(r.importance == 0.0);
  }
}
