// libFuzzer target: any bytes as a scenario file. Loading either succeeds or
// throws InputError (positions and all); a file that loads is simulated for
// at most 2 s of simulated time when its estimate is small. Anything else
// (a crash, a sanitizer report, a hang past -timeout, memory past
// -rss_limit_mb) is a bug: keep the input in tests/fuzz/regressions/.
// Built by the `fuzz` preset (clang); run by scripts/fuzz.sh (`make fuzz`).
#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/estimate.hpp"
#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace archsim;
  const std::string text(reinterpret_cast<const char*>(data), size);
  ScenarioSpec spec;
  try {
    spec = load_scenario_text(text, "fuzz.yaml");
  } catch (const InputError& e) {
    (void)e.what();  // the messages are built (escaping, positions) and dropped
    return 0;
  }
  // `run --duration 2s`, when the napkin math says it is small.
  spec.duration = std::min(spec.duration, 2.0);
  spec.warmup = std::min(spec.warmup, spec.duration / 2);
  const auto est = estimate(spec);
  if (!est || run_cost(spec, *est, true).events > 2e6) return 0;
  try {
    (void)simulate(spec);
  } catch (const InputError&) {
  }
  return 0;
}
