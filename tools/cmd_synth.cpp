// barista synth --out DIR: deterministic synthetic coffee-shop data with a
// ready training config.
#include <cstdio>

#include "cli.h"
#include "commands.h"
#include "data/synth.h"

namespace barista::cli {

using namespace barista::internal;

Exit run_synth(const Command& command, int argc, char** argv) {
  Args args(command,
            "Writes a synthetic coffee-shop interaction log with planted structure (tastes,\n"
            "pairings, hours, long-tailed popularity): interactions.csv, items.csv, users.csv\n"
            "and config.json, ready for `barista train DIR/config.json`.",
            {{"out", "DIR", "output directory", Use::Required},
             {"users", "N", "number of users (default: 2000)"},
             {"sessions", "N", "average sessions per user (default: 8)"},
             {"seed", "N", "random seed (default: 1)"}});
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  SynthOptions options;
  uint64_t users = 0, sessions = 0;
  if (!args.get_uint("users", options.users, &users) ||
      !args.get_uint("sessions", options.sessions_per_user, &sessions) ||
      !args.get_uint("seed", options.seed, &options.seed)) {
    return Exit::Usage;
  }
  options.users = static_cast<uint32_t>(std::max<uint64_t>(1, users));
  options.sessions_per_user = static_cast<uint32_t>(std::max<uint64_t>(2, sessions));
  SynthSummary summary;
  const Status status = write_synthetic_data(options, args.get("out"), &summary);
  if (!status.ok()) return fail(status.message());
  std::printf("wrote %llu interactions of %u users over %u items to %s\n",
              static_cast<unsigned long long>(summary.interactions), summary.users, summary.items,
              args.get("out").c_str());
  return Exit::Ok;
}

}  // namespace barista::cli
