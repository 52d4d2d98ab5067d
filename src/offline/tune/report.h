// The report of a `barista tune` run (--report report.html): one
// self-contained page, inline SVG and CSS, no script and nothing fetched
// from the network, so that it opens from a CI artifact or a mail.
//
// It shows, from a trial log (tune/trial_log.h) and the search space's
// parameters:
// - the run (id, config, budget), the trials done, stopped by successive
//   halving and failed, the best trial and the base configuration's
//   objective (trial 0);
// - the objective (best validation HR@10 of a trial) against the trial
//   number, one point per trial with an objective, shaped by outcome, with
//   the best so far as a step line; trials without one (failed before
//   their first evaluation) as crosses below the plot;
// - the objective against each of the most important parameters (up to
//   kReportParameterPlots, ranked by parameter_importance below);
// - the finalists retrained per seed on the test targets, their mean and
//   range, next to the baselines; and every trial, best first.
//
// The page is well-formed XML (XHTML with inline SVG) as well as HTML, so
// that it can be checked by any XML parser; every text from the log is
// escaped, and numbers are written with a fixed number of decimals
// whatever the locale.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tune/search_space.h"
#include "tune/trial_log.h"

namespace barista::internal {

// Plots of the objective against a parameter, most important first.
constexpr size_t kReportParameterPlots = 6;

// How much the objective moves with a parameter, from the trials where the
// parameter was active and that have an objective (>= 0), in [0, 1]:
// - a number (uniform, loguniform, int): |Spearman's rank correlation|
//   between the drawn value and the objective (ranks, so loguniform's
//   logarithm changes nothing; ties share their mean rank);
// - a choice: the correlation ratio eta^2 (the share of the objective's
//   variance between the options' means).
// Fewer than 3 such trials, or no variation in the values or in the
// objective, give 0. A rough guide, not a test: it sees only monotone
// effects of numbers, and eta^2 grows with the number of options.
struct ParameterImportance {
  const Parameter* parameter = nullptr;
  double importance = 0.0;
  size_t trials = 0;  // the trials it was computed from
};

// Every parameter of `parameters` (null ones skipped), most important
// first; ties keep the space's order.
std::vector<ParameterImportance> parameter_importance(const TrialLog& log,
                                                      const std::vector<const Parameter*>& parameters);

// The page. `parameters` is the space's SearchSpace::all().
std::string tune_report_html(const TrialLog& log, const std::vector<const Parameter*>& parameters);

}  // namespace barista::internal
