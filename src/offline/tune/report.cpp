#include "tune/report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <string_view>
#include <system_error>

#include "tune/selection.h"

namespace barista::internal {

namespace {

// ---- Text --------------------------------------------------------------

// XML-escapes `s`. Text from the log may hold anything (an error message
// quoting a data file): characters XML 1.0 forbids (controls but tab and
// line ends) and bytes that are not UTF-8 become U+FFFD, so that the page
// stays well-formed.
void append_escaped(std::string_view s, std::string* out) {
  static const char kReplacement[] = "\xEF\xBF\xBD";
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': *out += "&amp;"; break;
        case '<': *out += "&lt;"; break;
        case '>': *out += "&gt;"; break;
        case '"': *out += "&quot;"; break;
        case '\'': *out += "&#39;"; break;
        default:
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            *out += kReplacement;
          } else {
            *out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // A multi-byte sequence: its length from the lead byte, then
    // continuation bytes, no overlong forms, no surrogates, <= U+10FFFF.
    size_t length = 0;
    uint32_t code = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2, code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3, code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4, code = c & 0x07;
    }
    bool valid = length != 0 && i + length <= s.size();
    for (size_t k = 1; valid && k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(s[i + k]);
      valid = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3F);
    }
    if (valid) {
      valid = !(length == 3 && code < 0x800) && !(length == 4 && code < 0x10000) && code <= 0x10FFFF &&
              !(code >= 0xD800 && code <= 0xDFFF) && code != 0xFFFE && code != 0xFFFF;
    }
    if (valid) {
      out->append(s.data() + i, length);
      i += length;
    } else {
      *out += kReplacement;
      ++i;
    }
  }
}

std::string escaped(std::string_view s) {
  std::string out;
  append_escaped(s, &out);
  return out;
}

// `v` with `decimals` digits after the point, independent of the locale
// (std::to_chars); "n/a" when it is not finite.
std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "n/a";
  char buffer[400];  // DBL_MAX has 309 integer digits
  const std::to_chars_result written =
      std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, decimals);
  if (written.ec != std::errc()) return "n/a";
  std::string text(buffer, written.ptr);
  if (text.find_first_not_of("-0.") == std::string::npos && text[0] == '-') text.erase(0, 1);  // no "-0.00"
  return text;
}

// The shortest text that reads back as `v` ("0.25", "1e-04"), for the
// bounds the user wrote in the space.
std::string shortest(double v) {
  if (!std::isfinite(v)) return "n/a";
  char buffer[64];
  const std::to_chars_result written = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, written.ptr);
}

// A coordinate in the SVG: one decimal, never NaN or huge, whatever the data.
std::string coord(double v) {
  if (!std::isfinite(v)) v = 0.0;
  return fixed(std::clamp(v, -10000.0, 10000.0), 1);
}

// A value on an axis tick: fixed with `decimals`, or "2.5e-5" when tiny or
// huge.
std::string tick_label(double v, int decimals) {
  const double magnitude = std::fabs(v);
  if (magnitude != 0.0 && (magnitude < 1e-3 || magnitude >= 1e6)) {
    int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
    double mantissa = v / std::pow(10.0, exponent);
    if (std::fabs(mantissa) >= 9.95) mantissa /= 10.0, ++exponent;  // 9.96e-5 rounds to 1.0e-4
    std::string text = fixed(mantissa, 1);
    if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
    return text + "e" + std::to_string(exponent);
  }
  return fixed(v, std::clamp(decimals, 0, 6));
}

// A JSON value as a label: a string as itself, anything else as JSON.
std::string value_label(const json::Value& value) {
  if (value.type == json::Type::String) return value.string;
  if (value.type == json::Type::Number && std::isfinite(value.number) && value.number == std::floor(value.number) &&
      std::fabs(value.number) < 1e15) {
    return fixed(value.number, 0);
  }
  return json::serialize(value);
}

// Long labels (a nested object as a choice) cut at `limit` characters, on a
// UTF-8 boundary.
std::string shortened(const std::string& s, size_t limit) {
  if (s.size() <= limit) return s;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "\xE2\x80\xA6";  // "…"
}

const char* kind_label(Parameter::Kind kind) {
  switch (kind) {
    case Parameter::Kind::Uniform: return "uniform";
    case Parameter::Kind::LogUniform: return "loguniform";
    case Parameter::Kind::Int: return "int";
    case Parameter::Kind::Choice: return "choice";
  }
  return "";
}

bool has_objective(const TrialRecord& trial) { return std::isfinite(trial.objective) && trial.objective >= 0.0; }

std::string params_text(const Assignment& params) {
  std::string text;
  for (const ParameterValue& p : params) {
    if (!text.empty()) text += ", ";
    text += p.key + " = " + value_label(p.value);
  }
  return text;
}

// ---- Statistics --------------------------------------------------------

// Ranks from 1, ties sharing their mean rank.
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (size_t k = i; k <= j; ++k) r[order[k]] = mean_rank;
    i = j + 1;
  }
  return r;
}

// Pearson's correlation; 0 when either side does not vary.
double correlation(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (!(sxx > 0.0) || !(syy > 0.0)) return 0.0;
  const double r = sxy / std::sqrt(sxx * syy);
  return std::isfinite(r) ? std::clamp(r, -1.0, 1.0) : 0.0;
}

// The share of the variance of `y` between the means of its groups.
double eta_squared(const std::vector<long>& group, const std::vector<double>& y) {
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
  std::map<long, std::pair<double, size_t>> sums;
  double total = 0.0;
  for (size_t i = 0; i < y.size(); ++i) {
    sums[group[i]].first += y[i];
    ++sums[group[i]].second;
    total += (y[i] - mean) * (y[i] - mean);
  }
  if (!(total > 0.0)) return 0.0;
  double between = 0.0;
  for (const auto& entry : sums) {
    const double group_mean = entry.second.first / static_cast<double>(entry.second.second);
    between += static_cast<double>(entry.second.second) * (group_mean - mean) * (group_mean - mean);
  }
  const double ratio = between / total;
  return std::isfinite(ratio) ? std::clamp(ratio, 0.0, 1.0) : 0.0;
}

// One trial's value of a parameter, as plotted and ranked.
struct Sample {
  const TrialRecord* trial = nullptr;
  double value = 0.0;  // the real value (numbers) or the option's index (choices)
};

// The trials with an objective where `p` was active, by trial number.
std::vector<Sample> samples_of(const TrialLog& log, const Parameter& p) {
  std::vector<Sample> samples;
  for (const TrialRecord& trial : log.trials) {
    if (!has_objective(trial)) continue;
    for (const ParameterValue& v : trial.params) {
      if (v.id != p.id) continue;
      Sample s;
      s.trial = &trial;
      if (p.kind == Parameter::Kind::Choice) {
        // The option's index; one the space does not have is left out.
        s.value = std::isfinite(v.x) ? std::round(v.x) : -1.0;
        if (!(s.value >= 0 && s.value < static_cast<double>(p.options.size()))) break;
      } else if (v.value.type == json::Type::Number) {
        s.value = v.value.number;  // what the user set, not log(value) for loguniform
      } else {
        s.value = p.kind == Parameter::Kind::LogUniform ? std::exp(v.x) : v.x;
      }
      if (std::isfinite(s.value) && std::fabs(s.value) < 1e300) samples.push_back(s);
      break;
    }
  }
  std::sort(samples.begin(), samples.end(),
            [](const Sample& a, const Sample& b) { return a.trial->number < b.trial->number; });
  return samples;
}

double importance_of(const Parameter& p, const std::vector<Sample>& samples) {
  if (samples.size() < 3) return 0.0;
  std::vector<double> y;
  for (const Sample& s : samples) y.push_back(s.trial->objective);
  if (p.kind == Parameter::Kind::Choice) {
    std::vector<long> group;
    for (const Sample& s : samples) group.push_back(static_cast<long>(s.value));
    return eta_squared(group, y);
  }
  std::vector<double> x;
  for (const Sample& s : samples) x.push_back(s.value);
  return std::fabs(correlation(ranks(x), ranks(y)));
}

// ---- Axes and plots ----------------------------------------------------

struct Axis {
  double low = 0.0, high = 1.0;
  bool log = false;  // positions by log10(value); low and high > 0
  std::vector<double> ticks;
  std::vector<std::string> labels;

  // 0 at low, 1 at high.
  double fraction(double v) const {
    const double a = log ? std::log10(low) : low, b = log ? std::log10(high) : high;
    const double t = log ? std::log10(std::max(v, 1e-300)) : v;
    const double f = (t - a) / (b - a);
    return std::isfinite(f) ? f : 0.5;
  }
};

// A linear axis over [low, high] with about five round ticks (steps of 1,
// 2 or 5 times a power of ten; at least 1 for integers). A single value
// gets a range around it.
Axis linear_axis(double low, double high, bool integer) {
  Axis axis;
  if (!std::isfinite(low) || !std::isfinite(high)) low = 0.0, high = 1.0;
  if (low > high) std::swap(low, high);
  if (high - low <= 1e-12 * std::max(1.0, std::fabs(low))) {
    const double pad = integer ? 1.0 : std::max(0.05 * std::fabs(low), 0.01);
    low -= pad, high += pad;
  }
  const double rough = (high - low) / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  const double ratio = rough / magnitude;  // in [1, 10)
  double step = magnitude * (ratio < 1.5 ? 1.0 : ratio < 3.0 ? 2.0 : ratio < 7.0 ? 5.0 : 10.0);
  if (integer) step = std::max(1.0, std::round(step));
  axis.low = std::floor(low / step) * step;
  axis.high = std::ceil(high / step) * step;
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  for (double t = axis.low; t <= axis.high + step * 1e-6 && axis.ticks.size() < 50; t += step) {
    const double tick = std::fabs(t) < step * 1e-9 ? 0.0 : t;
    axis.ticks.push_back(tick);
    axis.labels.push_back(tick_label(tick, decimals));
  }
  return axis;
}

// A log axis for loguniform values, ticked at powers of ten, or at 1, 2
// and 5 times them, or every digit, whichever first gives two ticks.
Axis log_axis(double low, double high) {
  Axis axis;
  axis.log = true;
  if (low > high) std::swap(low, high);
  if (high / low < 1.0 + 1e-9) low /= 2.0, high *= 2.0;
  axis.low = low, axis.high = high;
  const int first = static_cast<int>(std::floor(std::log10(low)));
  const int last = static_cast<int>(std::ceil(std::log10(high)));
  const std::vector<std::vector<double>> multiples = {{1.0}, {1.0, 2.0, 5.0}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
  for (const std::vector<double>& set : multiples) {
    axis.ticks.clear();
    for (int e = first; e <= last; ++e) {
      for (double m : set) {
        const double t = m * std::pow(10.0, e);
        if (t >= low * (1.0 - 1e-9) && t <= high * (1.0 + 1e-9)) axis.ticks.push_back(t);
      }
    }
    if (axis.ticks.size() >= 2) break;
  }
  if (axis.ticks.size() < 2) axis.ticks = {low, high};
  for (double t : axis.ticks) {
    axis.labels.push_back(tick_label(t, std::max(0, -static_cast<int>(std::floor(std::log10(t) + 1e-9)))));
  }
  return axis;
}

// The objective's axis, shared by every plot so that they compare.
Axis objective_axis(const TrialLog& log) {
  double low = 1.0, high = 0.0;
  for (const TrialRecord& trial : log.trials) {
    if (!has_objective(trial)) continue;
    low = std::min(low, trial.objective);
    high = std::max(high, trial.objective);
  }
  if (low > high) return linear_axis(0.0, 1.0, false);
  return linear_axis(low, high, false);
}

// A plot's area inside its SVG, and its two axes.
struct Frame {
  double left = 64, top = 16, width = 0, height = 0;
  Axis x, y;
  double px(double v) const { return left + std::clamp(x.fraction(v), -0.05, 1.05) * width; }
  double py(double v) const { return top + height - std::clamp(y.fraction(v), -0.05, 1.05) * height; }
};

void begin_svg(std::string* out, double width, double height, const std::string& id, const std::string& label) {
  *out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" id=\"" + id + "\" width=\"" + coord(width) +
          "\" height=\"" + coord(height) + "\" viewBox=\"0 0 " + coord(width) + " " + coord(height) +
          "\" role=\"img\" aria-label=\"" + escaped(label) + "\">\n";
}

void text_at(std::string* out, double x, double y, const char* anchor, const std::string& text,
             const char* extra = "") {
  *out += "<text x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" text-anchor=\"" + anchor + "\"" + extra + ">" +
          escaped(text) + "</text>\n";
}

// Grid lines, ticks, tick labels and the axes' titles. The x ticks are
// drawn unless the plot labels its own columns (a choice); the x axis sits
// `below` under the frame (the trials without an objective between).
void draw_axes(std::string* out, const Frame& f, const std::string& x_title, const std::string& y_title,
               bool x_ticks = true, double below = 0.0) {
  const double bottom = f.top + f.height + below;
  for (size_t i = 0; i < f.y.ticks.size(); ++i) {
    const double y = f.py(f.y.ticks[i]);
    *out += "<line class=\"grid\" x1=\"" + coord(f.left) + "\" y1=\"" + coord(y) + "\" x2=\"" +
            coord(f.left + f.width) + "\" y2=\"" + coord(y) + "\"/>\n";
    text_at(out, f.left - 6, y + 4, "end", f.y.labels[i]);
  }
  if (x_ticks) {
    for (size_t i = 0; i < f.x.ticks.size(); ++i) {
      const double x = f.px(f.x.ticks[i]);
      *out += "<line class=\"tick\" x1=\"" + coord(x) + "\" y1=\"" + coord(bottom) + "\" x2=\"" + coord(x) +
              "\" y2=\"" + coord(bottom + 5) + "\"/>\n";
      text_at(out, x, bottom + 18, "middle", f.x.labels[i]);
    }
  }
  *out += "<path class=\"axis\" d=\"M" + coord(f.left) + "," + coord(f.top) + " V" + coord(bottom) + " H" +
          coord(f.left + f.width) + "\"/>\n";
  text_at(out, f.left + f.width / 2, bottom + 38, "middle", x_title, " class=\"title\"");
  const std::string y_at = coord(14) + "," + coord(f.top + f.height / 2);
  *out += "<text class=\"title\" x=\"0\" y=\"0\" text-anchor=\"middle\" transform=\"translate(" + y_at +
          ") rotate(-90)\">" + escaped(y_title) + "</text>\n";
}

// One trial as a point: a filled circle when done, an open triangle when
// stopped by successive halving, a cross when failed; `counted` points
// carry class "pt" (one per trial with an objective, in every plot).
void draw_marker(std::string* out, const TrialRecord& trial, double x, double y, bool counted, bool best) {
  std::string tip = "trial " + std::to_string(trial.number) + ": " + outcome_name(trial.outcome);
  if (trial.outcome == TrialRecord::Outcome::Stopped) tip += " at epoch " + std::to_string(trial.stopped_at_rung);
  if (has_objective(trial)) tip += ", HR@10 " + fixed(trial.objective, 4);
  if (!trial.error.empty()) tip += ": " + shortened(trial.error, 200);
  if (!trial.params.empty()) tip += "; " + params_text(trial.params);
  const std::string title = "<title>" + escaped(tip) + "</title>";
  const std::string classes = std::string(counted ? "pt " : "nopt ") + outcome_name(trial.outcome);
  if (best) {
    *out += "<circle class=\"best-ring\" cx=\"" + coord(x) + "\" cy=\"" + coord(y) + "\" r=\"8\"/>\n";
  }
  switch (trial.outcome) {
    case TrialRecord::Outcome::Done:
      *out += "<circle class=\"" + classes + "\" cx=\"" + coord(x) + "\" cy=\"" + coord(y) + "\" r=\"4\">" + title +
              "</circle>\n";
      break;
    case TrialRecord::Outcome::Stopped:
      *out += "<path class=\"" + classes + "\" d=\"M" + coord(x) + "," + coord(y - 5) + " L" + coord(x + 4.5) + "," +
              coord(y + 3.5) + " L" + coord(x - 4.5) + "," + coord(y + 3.5) + " Z\">" + title + "</path>\n";
      break;
    case TrialRecord::Outcome::Failed:
      *out += "<path class=\"" + classes + "\" d=\"M" + coord(x - 4) + "," + coord(y - 4) + " L" + coord(x + 4) +
              "," + coord(y + 4) + " M" + coord(x - 4) + "," + coord(y + 4) + " L" + coord(x + 4) + "," +
              coord(y - 4) + "\">" + title + "</path>\n";
      break;
  }
}

// The trials by number (the log holds them in the order they ended).
std::vector<const TrialRecord*> by_number(const TrialLog& log) {
  std::vector<const TrialRecord*> trials;
  for (const TrialRecord& t : log.trials) trials.push_back(&t);
  std::stable_sort(trials.begin(), trials.end(),
                   [](const TrialRecord* a, const TrialRecord* b) { return a->number < b->number; });
  return trials;
}

// The best trial: the one the run retrained as "best" when the log has its
// final records, otherwise the highest objective of the trials done (of
// those stopped when none is done; the lowest number on ties).
const TrialRecord* best_trial(const TrialLog& log) {
  for (const FinalRecord& final : log.finals) {
    if (final.which != "best") continue;
    for (const TrialRecord& t : log.trials) {
      if (t.number == final.trial && has_objective(t)) return &t;
    }
  }
  const TrialRecord* best = nullptr;
  for (const bool done_only : {true, false}) {
    for (const TrialRecord* t : by_number(log)) {
      if (!has_objective(*t) || (done_only && t->outcome != TrialRecord::Outcome::Done)) continue;
      if (!best || t->objective > best->objective) best = t;
    }
    if (best) break;
  }
  return best;
}

const TrialRecord* base_trial(const TrialLog& log) {
  for (const TrialRecord& t : log.trials) {
    if (t.number == 0) return &t;
  }
  return nullptr;
}

void objective_plot(const TrialLog& log, const TrialRecord* best, std::string* out) {
  const std::vector<const TrialRecord*> trials = by_number(log);
  const bool any_without =
      std::any_of(trials.begin(), trials.end(), [](const TrialRecord* t) { return !has_objective(*t); });
  Frame f;
  f.width = 600, f.height = 240;
  const double failed_band = any_without ? 26 : 0;  // below the objective's range, inside the axes
  double last = 1;
  for (const TrialRecord* t : trials) last = std::max(last, static_cast<double>(t->number));
  f.x = linear_axis(0.0, last, true);
  // Room at both ends, so that no point sits on an axis.
  const double pad = 0.03 * (f.x.high - f.x.low);
  f.x.low -= pad, f.x.high += pad;
  f.y = objective_axis(log);
  Frame inner = f;  // objectives above the failed band
  inner.height = f.height - failed_band;
  begin_svg(out, 760, 310, "objective-plot", "validation HR@10 by trial");
  draw_axes(out, inner, "trial", "validation HR@10", true, failed_band);
  if (any_without) {
    const double y = f.top + f.height - failed_band / 2;
    text_at(out, f.left - 6, y + 4, "end", "no HR");
    for (const TrialRecord* t : trials) {
      if (!has_objective(*t)) draw_marker(out, *t, f.px(t->number), y, false, false);
    }
  }
  // The best so far: a step up at each trial that beat every earlier one.
  std::string steps;
  double running = -1.0;
  double last_x = 0.0;
  for (const TrialRecord* t : trials) {
    if (!has_objective(*t)) continue;
    const double x = inner.px(t->number);
    if (steps.empty()) {
      steps = "M" + coord(x) + "," + coord(inner.py(t->objective));
      running = t->objective;
    } else if (t->objective > running) {
      steps += " H" + coord(x) + " V" + coord(inner.py(t->objective));
      running = t->objective;
    }
    last_x = x;
  }
  if (!steps.empty()) *out += "<path class=\"best-line\" d=\"" + steps + " H" + coord(last_x) + "\"/>\n";
  for (const TrialRecord* t : trials) {
    if (has_objective(*t)) draw_marker(out, *t, inner.px(t->number), inner.py(t->objective), true, t == best);
  }
  // The legend, right of the plot.
  const double lx = f.left + f.width + 20;
  TrialRecord sample;
  double ly = f.top + 8;
  for (const TrialRecord::Outcome o :
       {TrialRecord::Outcome::Done, TrialRecord::Outcome::Stopped, TrialRecord::Outcome::Failed}) {
    sample.outcome = o;
    std::string marker;
    draw_marker(&marker, sample, lx + 4, ly - 4, false, false);
    // The legend's markers are no trials: drop the tooltip and the class
    // that counts points.
    const size_t title = marker.find("<title>");
    marker.erase(title, marker.find("</title>") - title + 8);
    *out += marker;
    text_at(out, lx + 12, ly, "start", outcome_name(o));
    ly += 18;
  }
  *out += "<path class=\"best-line\" d=\"M" + coord(lx) + "," + coord(ly - 4) + " H" + coord(lx + 9) + "\"/>\n";
  text_at(out, lx + 12, ly, "start", "best");
  *out += "</svg>\n";
}

void parameter_plot(const TrialLog& log, const ParameterImportance& ranked, const TrialRecord* best, size_t index,
                    std::string* out) {
  const Parameter& p = *ranked.parameter;
  const std::vector<Sample> samples = samples_of(log, p);
  Frame f;
  f.width = 330, f.height = 190;
  f.y = objective_axis(log);
  const bool choice = p.kind == Parameter::Kind::Choice;
  // Choices: a column per option, the points spread within it by trial
  // number.
  std::vector<std::string> columns;
  if (choice) {
    for (const ChoiceOption& option : p.options) columns.push_back(value_label(option.value));
    if (columns.empty()) columns.push_back("?");
    f.x = linear_axis(-0.5, static_cast<double>(columns.size()) - 0.5, false);
    f.x.low = -0.5, f.x.high = static_cast<double>(columns.size()) - 0.5;
  } else {
    double low = p.low, high = p.high;
    if (!std::isfinite(low) || !std::isfinite(high) || low > high) low = high = samples.empty() ? 0 : samples[0].value;
    for (const Sample& s : samples) low = std::min(low, s.value), high = std::max(high, s.value);
    if (p.kind == Parameter::Kind::LogUniform && low > 0) {
      f.x = log_axis(low, high);
    } else {
      f.x = linear_axis(low, high, p.kind == Parameter::Kind::Int);
    }
  }
  const std::string measure = choice ? "eta\xC2\xB2 " : "|Spearman \xCF\x81| ";
  const std::string title = p.key + " \xE2\x80\x94 " + measure + fixed(ranked.importance, 2) +
                            " (n = " + std::to_string(samples.size()) + ")";
  *out += "<figure class=\"param\">\n";
  begin_svg(out, 410, 270, "param-plot-" + std::to_string(index), title);
  text_at(out, f.left + f.width / 2, 12, "middle", shortened(title, 70), " class=\"title\"");
  Frame plot = f;
  plot.top = 24;
  std::string x_title = p.key;
  if (p.kind == Parameter::Kind::LogUniform && plot.x.log) x_title += " (log scale)";
  draw_axes(out, plot, shortened(x_title, 60), "validation HR@10", !choice);
  if (choice) {
    for (size_t c = 0; c < columns.size(); ++c) {
      const double x = plot.px(static_cast<double>(c));
      text_at(out, x, plot.top + plot.height + 18, "middle", shortened(columns[c], 14));
      // The option's mean objective, as a bar across its column.
      double sum = 0;
      size_t n = 0;
      for (const Sample& s : samples) {
        if (s.value == static_cast<double>(c)) sum += s.trial->objective, ++n;
      }
      if (n > 0) {
        const double y = plot.py(sum / static_cast<double>(n));
        const double half = 0.35 * plot.width / static_cast<double>(columns.size());
        *out += "<line class=\"mean\" x1=\"" + coord(x - half) + "\" y1=\"" + coord(y) + "\" x2=\"" +
                coord(x + half) + "\" y2=\"" + coord(y) + "\"/>\n";
      }
    }
  }
  for (const Sample& s : samples) {
    double x = plot.px(s.value);
    if (choice) {
      // A fixed spread (golden-ratio steps by trial number), so that the
      // same log draws the same page.
      const double column = plot.width / static_cast<double>(columns.size());
      const double spread = std::fmod(static_cast<double>(s.trial->number) * 0.6180339887, 1.0) - 0.5;
      x += spread * 0.5 * column;
    }
    draw_marker(out, *s.trial, x, plot.py(s.trial->objective), true, s.trial == best);
  }
  if (samples.empty()) text_at(out, plot.left + plot.width / 2, plot.top + plot.height / 2, "middle", "no trials");
  *out += "</svg>\n</figure>\n";
}

// ---- Tables ------------------------------------------------------------

std::string cell(const std::string& text, const char* cls = nullptr) {
  std::string out = cls ? std::string("<td class=\"") + cls + "\">" : std::string("<td>");
  return out + escaped(text) + "</td>";
}

std::string metric(double v) { return std::isfinite(v) && v >= 0 ? fixed(v, 4) : "\xE2\x80\x93"; }  // "–"

// Mean and range (min – max) of the metric's known values.
struct Summary {
  double mean = -1, low = -1, high = -1;
  size_t n = 0;
};
template <class Get>
Summary summarize(const std::vector<const FinalRecord*>& records, Get get) {
  Summary s;
  double sum = 0;
  for (const FinalRecord* r : records) {
    const double v = get(*r);
    if (!std::isfinite(v) || v < 0) continue;
    s.low = s.n == 0 ? v : std::min(s.low, v);
    s.high = s.n == 0 ? v : std::max(s.high, v);
    sum += v;
    ++s.n;
  }
  if (s.n > 0) s.mean = sum / static_cast<double>(s.n);
  return s;
}

void finals_tables(const TrialLog& log, std::string* out) {
  *out += "<h2>On test</h2>\n";
  if (log.finals.empty() && log.baselines.empty()) {
    *out += "<p class=\"note\">No final records: the run did not get to retrain its best configuration.</p>\n";
    return;
  }
  *out +=
      "<p class=\"note\">The best trial's configuration and the base configuration retrained on the validation "
      "slice's targets too, once per seed, and scored on the test targets; mean and range over the seeds.</p>\n";
  *out += "<table>\n<thead><tr><th>configuration</th><th>seeds</th><th>validation HR@10</th><th>test HR@10</th>"
          "<th>test NDCG@10</th></tr></thead>\n<tbody>\n";
  std::vector<std::string> groups;
  for (const FinalRecord& r : log.finals) {
    if (std::find(groups.begin(), groups.end(), r.which) == groups.end()) groups.push_back(r.which);
  }
  auto range_cell = [](const Summary& s) {
    if (s.n == 0) return cell("\xE2\x80\x93", "num");
    std::string text = fixed(s.mean, 4);
    if (s.n > 1) text += " (" + fixed(s.low, 4) + " \xE2\x80\x93 " + fixed(s.high, 4) + ")";
    return cell(text, "num");
  };
  for (const std::string& which : groups) {
    std::vector<const FinalRecord*> records;
    for (const FinalRecord& r : log.finals) {
      if (r.which == which) records.push_back(&r);
    }
    *out += "<tr>" + cell(which + " (trial " + std::to_string(records[0]->trial) + ")") +
            cell(std::to_string(records.size()), "num") +
            range_cell(summarize(records, [](const FinalRecord& r) { return r.validation_hr; })) +
            range_cell(summarize(records, [](const FinalRecord& r) { return r.test_hr; })) +
            range_cell(summarize(records, [](const FinalRecord& r) { return r.test_ndcg; })) + "</tr>\n";
  }
  for (const BaselineRecord& b : log.baselines) {
    *out += "<tr class=\"baseline\">" + cell(b.name) + cell("", "num") + cell("\xE2\x80\x93", "num") +
            cell(metric(b.test_hr), "num") + cell(metric(b.test_ndcg), "num") + "</tr>\n";
  }
  *out += "</tbody>\n</table>\n";
  if (log.finals.empty()) return;
  *out += "<details>\n<summary>Per seed</summary>\n<table>\n<thead><tr><th>configuration</th><th>trial</th>"
          "<th>seed</th><th>validation HR@10</th><th>test HR@10</th><th>test NDCG@10</th><th>seconds</th>"
          "<th>model</th></tr></thead>\n<tbody>\n";
  for (const FinalRecord& r : log.finals) {
    *out += "<tr>" + cell(r.which) + cell(std::to_string(r.trial), "num") + cell(std::to_string(r.seed), "num") +
            cell(metric(r.validation_hr), "num") + cell(metric(r.test_hr), "num") + cell(metric(r.test_ndcg), "num") +
            cell(fixed(r.seconds, 1), "num") + cell(r.model_path) + "</tr>\n";
  }
  *out += "</tbody>\n</table>\n</details>\n";
}

// A candidate's validation HR@10 over its seeds: its trial's draw and its
// confirmation runs', averaged as the choice averages them (-1: runs on
// other seeds than the choice reads).
struct SeedDraws {
  const TrialRecord* trial = nullptr;
  std::vector<const ConfirmRecord*> runs;
  double mean = 0;
};

std::vector<SeedDraws> seed_draws(const TrialLog& log) {
  std::vector<SeedDraws> out;
  for (const ConfirmRecord& c : log.confirms) {
    auto it = std::find_if(out.begin(), out.end(), [&](const SeedDraws& d) { return d.trial->number == c.trial; });
    if (it == out.end()) {
      const auto t = std::find_if(log.trials.begin(), log.trials.end(),
                                  [&](const TrialRecord& r) { return r.number == c.trial; });
      if (t == log.trials.end()) continue;
      out.push_back({&*t, {}, 0});
      it = out.end() - 1;
    }
    it->runs.push_back(&c);
  }
  for (SeedDraws& d : out) {
    const uint32_t seeds = static_cast<uint32_t>(d.runs.size());
    if (!mean_objective(log.trials, log.confirms, d.trial->number, seeds, &d.mean)) d.mean = -1.0;
  }
  std::stable_sort(out.begin(), out.end(), [](const SeedDraws& a, const SeedDraws& b) { return a.mean > b.mean; });
  return out;
}

void confirm_table(const TrialLog& log, const TrialRecord* best, std::string* out) {
  const std::vector<SeedDraws> draws = seed_draws(log);
  if (draws.empty()) return;
  *out += "<h2>Choosing the winner</h2>\n";
  *out += "<p class=\"note\">One seed's validation HR@10 is a noisy draw, and the best of many draws reads high: "
          "the base configuration and the best trials that ran to the end were trained again with other seeds "
          "(validation targets only), and the best mean went on to the test targets.</p>\n";
  *out += "<table>\n<thead><tr><th>trial</th><th>its seed</th><th>other seeds</th><th>mean</th></tr></thead>\n"
          "<tbody>\n";
  for (const SeedDraws& d : draws) {
    std::string others;
    for (const ConfirmRecord* c : d.runs) {
      others += (others.empty() ? "" : ", ") + std::string("seed ") + std::to_string(c->seed) + ": " +
                (c->error.empty() ? metric(c->objective) : "failed (" + c->error + ")");
    }
    *out += std::string(d.trial == best ? "<tr class=\"best-row\">" : "<tr>") +
            cell(std::to_string(d.trial->number), "num") + cell(metric(d.trial->objective), "num") + cell(others) +
            cell(metric(d.mean), "num") + "</tr>\n";
  }
  *out += "</tbody>\n</table>\n";
}

void trials_table(const TrialLog& log, const TrialRecord* best, std::string* out) {
  std::vector<const TrialRecord*> trials = by_number(log);
  // Best first; trials without an objective last, by number.
  std::stable_sort(trials.begin(), trials.end(), [](const TrialRecord* a, const TrialRecord* b) {
    const double oa = has_objective(*a) ? a->objective : -1.0, ob = has_objective(*b) ? b->objective : -1.0;
    return oa > ob;
  });
  *out += "<h2>Trials</h2>\n";
  if (trials.empty()) {
    *out += "<p class=\"note\">No trials yet.</p>\n";
    return;
  }
  *out += "<table class=\"trials\">\n<thead><tr><th>trial</th><th>outcome</th><th>epochs</th>"
          "<th>validation HR@10</th><th>seconds</th><th>parameters</th></tr></thead>\n<tbody>\n";
  for (const TrialRecord* t : trials) {
    std::string outcome = outcome_name(t->outcome);
    if (t->outcome == TrialRecord::Outcome::Stopped) outcome += " at epoch " + std::to_string(t->stopped_at_rung);
    std::string params = t->number == 0 ? std::string("(base configuration)") : params_text(t->params);
    std::string row = t == best ? "<tr class=\"best-row\">" : "<tr>";
    row += cell(std::to_string(t->number), "num") + cell(outcome, outcome_name(t->outcome)) +
           cell(std::to_string(t->validation_hr.size()), "num") + cell(metric(t->objective), "num") +
           cell(fixed(t->seconds, 1), "num") + "<td>" + escaped(params);
    if (!t->error.empty()) row += "<div class=\"error\">" + escaped(t->error) + "</div>";
    *out += row + "</td></tr>\n";
  }
  *out += "</tbody>\n</table>\n";
}

const char kStyle[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1100px;"
    "padding:0 1em;color:#1a202c}\n"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #e2e8f0}\n"
    "code{background:#f7fafc;padding:0 .2em}\n"
    "dl.summary{display:grid;grid-template-columns:max-content auto;gap:.25em 1em}\n"
    "dl.summary dt{font-weight:600}dl.summary dd{margin:0}\n"
    ".note{color:#4a5568;font-size:.9em}\n"
    "table{border-collapse:collapse;font-size:.9em;margin:.5em 0}\n"
    "th,td{border-bottom:1px solid #e2e8f0;padding:.25em .6em;text-align:left;vertical-align:top}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tr.best-row{background:#ebf8ff}tr.baseline{color:#4a5568}\n"
    "td.stopped{color:#c05621}td.failed{color:#c53030}.error{color:#c53030;font-size:.9em}\n"
    ".bar{display:inline-block;height:.7em;background:#3182ce}\n"
    ".plots{display:flex;flex-wrap:wrap;gap:.5em}figure.param{margin:0}\n"
    "svg.plot{font-size:11px;fill:#2d3748}svg.plot text.title{font-size:12px;font-weight:600}\n"
    "svg .grid{stroke:#edf2f7}svg .axis,svg .tick{stroke:#4a5568;fill:none}\n"
    "svg .done{fill:#3182ce;stroke:#2c5282}svg .stopped{fill:none;stroke:#dd6b20;stroke-width:1.5}\n"
    "svg .failed{fill:none;stroke:#c53030;stroke-width:2}\n"
    "svg .best-line{fill:none;stroke:#38a169;stroke-width:1.5}svg .best-ring{fill:none;stroke:#38a169;"
    "stroke-width:2}\n"
    "svg .mean{stroke:#2d3748;stroke-width:2}\n";

}  // namespace

std::vector<ParameterImportance> parameter_importance(const TrialLog& log,
                                                      const std::vector<const Parameter*>& parameters) {
  std::vector<ParameterImportance> ranked;
  for (const Parameter* p : parameters) {
    if (!p) continue;
    const std::vector<Sample> samples = samples_of(log, *p);
    ranked.push_back({p, importance_of(*p, samples), samples.size()});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const ParameterImportance& a, const ParameterImportance& b) {
    return a.importance > b.importance;
  });
  return ranked;
}

std::string tune_report_html(const TrialLog& log, const std::vector<const Parameter*>& parameters) {
  const TuneHeader& h = log.header;
  const TrialRecord* best = best_trial(log);
  const TrialRecord* base = base_trial(log);
  size_t done = 0, stopped = 0, failed = 0;
  for (const TrialRecord& t : log.trials) {
    done += t.outcome == TrialRecord::Outcome::Done;
    stopped += t.outcome == TrialRecord::Outcome::Stopped;
    failed += t.outcome == TrialRecord::Outcome::Failed;
  }

  std::string out;
  out += "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
         "<meta charset=\"utf-8\"/>\n<title>barista tune " +
         escaped(log.has_header ? h.run_id : std::string("(no header)")) + "</title>\n<style>\n" + kStyle +
         "</style>\n</head>\n<body>\n";
  out += "<h1>barista tune <code>" + escaped(log.has_header ? h.run_id : std::string("(no header)")) + "</code></h1>\n";
  out += "<dl class=\"summary\">\n";
  auto item = [&out](const std::string& term, const std::string& escaped_html) {
    out += "<dt>" + escaped(term) + "</dt><dd>" + escaped_html + "</dd>\n";
  };
  if (log.has_header) {
    item("config", "<code>" + escaped(h.config_path) + "</code>");
    item("budget", escaped(std::to_string(h.trials) + " trials, " + std::to_string(h.min_epochs) + " to " +
                           std::to_string(h.max_epochs) + " epochs (successive halving, eta " +
                           std::to_string(h.eta) + "), " + std::to_string(h.startup_trials) +
                           " random trials first, " + std::to_string(h.parallel) + " in parallel, seed " +
                           std::to_string(h.seed)));
    item("data", "<code>" + escaped(h.data_fingerprint) + "</code>");
    if (!h.version.empty()) item("barista", escaped(h.version));
  }
  item("trials", escaped(std::to_string(log.trials.size()) + " (" + std::to_string(done) + " done, " +
                         std::to_string(stopped) + " stopped early, " + std::to_string(failed) + " failed)"));
  if (best) {
    std::string text = "trial " + std::to_string(best->number) + ": validation HR@10 " + fixed(best->objective, 4);
    if (base && has_objective(*base) && best != base) {
      const double gain = best->objective - base->objective;
      text += " (" + std::string(gain >= 0 ? "+" : "") + fixed(gain, 4) + " over the base)";
    }
    for (const SeedDraws& d : seed_draws(log)) {
      if (d.trial == best) {
        text += "; mean over " + std::to_string(d.runs.size() + 1) + " seeds " + metric(d.mean);
      }
    }
    std::string html = "<strong>" + escaped(text) + "</strong>";
    if (!best->params.empty()) html += "<br/>" + escaped(params_text(best->params));
    item("best", html);
  } else {
    item("best", "none: no trial has a validation HR@10");
  }
  if (base) {
    item("base (trial 0)", escaped(has_objective(*base) ? "validation HR@10 " + fixed(base->objective, 4)
                                                         : std::string(outcome_name(base->outcome)) +
                                                               ", no validation HR@10"));
  }
  out += "</dl>\n";
  if (!log.problems.empty()) {
    out += "<h2>Lines not read</h2>\n<ul>\n";
    for (const std::string& problem : log.problems) out += "<li><code>" + escaped(problem) + "</code></li>\n";
    out += "</ul>\n";
  }

  out += "<h2>Validation HR@10 by trial</h2>\n";
  out += "<p class=\"note\">Each trial's best validation HR@10 over the epochs it ran. Trials stopped early by "
         "successive halving ran fewer epochs; failed trials without any evaluation sit below the axis. The "
         "line is the best so far; the ringed point is the best trial.</p>\n";
  objective_plot(log, best, &out);

  const std::vector<ParameterImportance> ranked = parameter_importance(log, parameters);
  out += "<h2>Parameters</h2>\n";
  if (ranked.empty()) {
    out += "<p class=\"note\">The search space has no parameters.</p>\n";
  } else {
    out += "<p class=\"note\">Importance, from the trials where the parameter was set and that have a validation "
           "HR@10: |Spearman's rank correlation| with it for numbers, the correlation ratio eta\xC2\xB2 for "
           "choices; 0 with fewer than 3 trials. A rough guide: it sees monotone effects only, and interactions "
           "not at all.</p>\n";
    out += "<table>\n<thead><tr><th>parameter</th><th>distribution</th><th>trials</th><th>importance</th>"
           "</tr></thead>\n<tbody>\n";
    for (const ParameterImportance& r : ranked) {
      const Parameter& p = *r.parameter;
      std::string distribution = kind_label(p.kind);
      if (p.kind == Parameter::Kind::Choice) {
        distribution += " of " + std::to_string(p.options.size());
      } else {
        distribution += " [" + shortest(p.low) + ", " + shortest(p.high) + "]";
      }
      out += "<tr><td title=\"" + escaped(p.id) + "\"><code>" + escaped(p.key) + "</code></td>" +
             cell(distribution) + cell(std::to_string(r.trials), "num") + "<td class=\"num\">" +
             escaped(fixed(r.importance, 2)) + " <span class=\"bar\" style=\"width:" +
             fixed(std::clamp(r.importance, 0.0, 1.0) * 8.0, 2) + "em\"></span></td></tr>\n";
    }
    out += "</tbody>\n</table>\n<div class=\"plots\">\n";
    size_t plotted = 0;
    for (const ParameterImportance& r : ranked) {
      if (plotted == kReportParameterPlots || r.trials == 0) continue;
      parameter_plot(log, r, best, plotted, &out);
      ++plotted;
    }
    out += "</div>\n";
  }

  confirm_table(log, best, &out);
  finals_tables(log, &out);
  trials_table(log, best, &out);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace barista::internal
