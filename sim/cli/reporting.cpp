#include "cli/reporting.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "archsim/output_file.hpp"

#ifdef ARCHSIM_WITH_VIEW
#include "archsim/view.hpp"
#endif

namespace fs = std::filesystem;

namespace archsim::cli {

void write_file_atomic(const std::string& path, const std::string& text) { write_output_file(path, text); }

report::Picture architecture_picture([[maybe_unused]] const std::string& file,
                                     [[maybe_unused]] const LoadOptions& load) {
#ifdef ARCHSIM_WITH_VIEW
  const char* display = std::getenv("DISPLAY");
  if (!display || !*display)
    return {"", "No architecture picture: there is no display to draw it on (set DISPLAY, or run archsim under "
                "xvfb-run)."};
  const fs::path png = fs::temp_directory_path() / ("archsim-report-" + std::to_string(getpid()) + ".png");
  viz::RenderOptions o;
  o.file = file;
  o.load = load;
  o.out = png.string();
  // render says "wrote ..." on stdout: not here, where stdout may be --json -.
  std::ostringstream quiet;
  std::streambuf* const was = std::cout.rdbuf(quiet.rdbuf());
  int rc = 1;
  try {
    rc = viz::render(o);
  } catch (...) {
    std::cout.rdbuf(was);
    throw;
  }
  std::cout.rdbuf(was);
  std::ifstream in(png, std::ios::binary);
  std::ostringstream bytes;
  if (in) bytes << in.rdbuf();
  std::error_code ec;
  fs::remove(png, ec);
  if (rc != 0 || bytes.str().empty())
    return {"", "No architecture picture: the view could not draw it (archsim render failed)."};
  return {bytes.str(), ""};
#else
  return {"", "No architecture picture: this archsim was built without the view (ARCHSIM_VIEW=OFF); "
              "`archsim render FILE --out arch.png` draws it where the view is built."};
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
