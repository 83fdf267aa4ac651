#include "cli/reporting.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "archsim/output_file.hpp"
#include "ranks/ranks.hpp"

#ifdef ARCHSIM_WITH_VIEW
#include "archsim/view.hpp"
#endif

namespace fs = std::filesystem;

namespace archsim::cli {

void write_file_atomic(const std::string& path, const std::string& text) {
  if (ranks::rank() != 0) return;  // under MPI, rank 0 writes
  if (path == "-") {               // "-" is standard output, for every output of every command
    std::cout << text << std::flush;
    return;
  }
  write_output_file(path, text);
}

namespace {
std::string read_and_remove(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream bytes;
  if (in) bytes << in.rdbuf();
  in.close();
  std::error_code ec;
  fs::remove(p, ec);
  return bytes.str();
}
}  // namespace

report::Picture architecture_picture([[maybe_unused]] const std::string& file,
                                     [[maybe_unused]] const LoadOptions& load) {
  report::Picture pic;
#ifdef ARCHSIM_WITH_VIEW
  const char* display = std::getenv("DISPLAY");
  if (!display || !*display) {
    pic.note =
        "No architecture picture: there is no display to draw it on (set DISPLAY, or run archsim under "
        "xvfb-run).";
    return pic;
  }
  // The worst second, and the moment the root cause began (not the last
  // frame: a run that failed and recovered would look healthy).
  const std::string stem = "archsim-report-" + std::to_string(getpid());
  const fs::path worst = fs::temp_directory_path() / (stem + ".png");
  const fs::path cause = fs::temp_directory_path() / (stem + "-cause.png");
  viz::RenderOptions o;
  o.file = file;
  o.load = load;
  o.out = worst.string();
  o.moment = "worst";
  o.quiet = true;
  o.cause_out = cause.string();
  viz::RenderInfo info;
  const int rc = viz::render(o, &info);
  const std::string worst_png = read_and_remove(worst), cause_png = read_and_remove(cause);
  if (rc != 0 || worst_png.empty()) {
    pic.note = "No architecture picture: the view could not draw it (archsim render failed).";
    return pic;
  }
  if (info.cause_drawn && !cause_png.empty() && std::abs(info.cause_at - info.at) > 1e-9)
    pic.shots.push_back(
        {cause_png, "When the root cause began, " + report::clock(info.cause_at) + ": " + info.cause});
  pic.shots.push_back({worst_png, "The worst second, " + report::clock(info.at)});
  return pic;
#else
  pic.note =
      "No architecture picture: this archsim was built without the view (ARCHSIM_VIEW=OFF); "
      "`archsim render FILE --out arch.png` draws it where the view is built.";
  return pic;
#endif
}

std::vector<report::ConfigFile> config_files(const std::string& file, const LoadOptions& load) {
  const report::Documents d = report::read_documents(file, load);
  std::vector<report::ConfigFile> out = {{d.problem_path, d.problem_text}};
  if (!d.design_path.empty()) out.push_back({d.design_path, d.design_text});
  return out;
}

void write_run_report(const std::string& out, const std::string& file, const LoadFlags& load,
                      const report::Analysis& a) {
  report::ReportRun run;
  run.label = a.spec.design_name;
  run.analysis = &a;
  run.config = config_files(file, load.options());
  run.picture = architecture_picture(file, load.options());
  write_file_atomic(out, report::run_html(run));
}

}  // namespace archsim::cli
