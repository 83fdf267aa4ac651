#include "ranks/ranks.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>

#include "ranks/module.hpp"

namespace archsim::ranks {
namespace {

int g_rank = 0, g_size = 1;

/// The MPI module's entry points (ranks/mpi_module.cpp), once loaded.
struct Mpi {
  void (*init)(int*, char***, int*, int*) = nullptr;
  void (*finalize)() = nullptr;
  unsigned (*bcast)(unsigned) = nullptr;
  void (*all_gather)(const std::vector<std::uint8_t>*, std::vector<std::uint8_t>*,
                     std::vector<int>*) = nullptr;
} g_mpi;

/// Whether a launcher started us: OpenMPI's mpirun, or a PMI/PMIx launcher
/// such as Slurm's srun. A plain start skips MPI_Init (a singleton init is
/// slow and may print about network interfaces) and never loads MPI.
bool launched() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(v)) return true;
  return false;
}

void leave() { g_mpi.finalize(); }

#ifdef ARCHSIM_WITH_MPI
/// Loads the MPI module or says why not. RTLD_GLOBAL: OpenMPI's own plugins
/// (its MCA components) need libmpi's symbols.
bool load(std::string& why) {
  void* h = modules::open(ARCHSIM_MPI_MODULE, ARCHSIM_MPI_MODULE_DIR, "ARCHSIM_MPI_MODULE", true, why);
  if (!h) return false;
  g_mpi.init = reinterpret_cast<decltype(g_mpi.init)>(modules::symbol(h, "archsim_mpi_init"));
  g_mpi.finalize = reinterpret_cast<decltype(g_mpi.finalize)>(modules::symbol(h, "archsim_mpi_finalize"));
  g_mpi.bcast = reinterpret_cast<decltype(g_mpi.bcast)>(modules::symbol(h, "archsim_mpi_bcast"));
  g_mpi.all_gather =
      reinterpret_cast<decltype(g_mpi.all_gather)>(modules::symbol(h, "archsim_mpi_all_gather"));
  if (g_mpi.init && g_mpi.finalize && g_mpi.bcast && g_mpi.all_gather) return true;
  why = "\n  the module lacks an archsim_mpi_* entry point";
  return false;
}
#endif

/// Every rank's bytes, each prefixed with its length (4 bytes, little
/// endian), in rank order, on every rank.
std::vector<std::uint8_t> all_gather(const std::vector<std::uint8_t>& mine) {
  std::vector<std::uint8_t> all;
  std::vector<int> lens;
  g_mpi.all_gather(&mine, &all, &lens);
  std::vector<std::uint8_t> out;
  out.reserve(all.size() + 4 * lens.size());
  std::size_t off = 0;
  for (const int len : lens) {
    const auto l = static_cast<std::uint32_t>(len);
    for (int b = 0; b < 4; ++b) out.push_back(static_cast<std::uint8_t>(l >> (8 * b)));
    out.insert(out.end(), all.begin() + static_cast<std::ptrdiff_t>(off),
               all.begin() + static_cast<std::ptrdiff_t>(off + l));
    off += l;
  }
  return out;
}

/// Puts rank r's results (one CBOR document per rank, from all_gather) into
/// their items' places; rethrows a rank's error.
std::vector<nlohmann::json> scatter_back(const std::vector<std::uint8_t>& all, std::size_t n) {
  std::vector<nlohmann::json> out(n);
  std::size_t pos = 0;
  for (int r = 0; r < g_size; ++r) {
    std::uint32_t l = 0;
    for (int b = 0; b < 4; ++b) l |= static_cast<std::uint32_t>(all[pos++]) << (8 * b);
    const nlohmann::json d = nlohmann::json::from_cbor(all.begin() + static_cast<std::ptrdiff_t>(pos),
                                                       all.begin() + static_cast<std::ptrdiff_t>(pos + l));
    pos += l;
    if (d.contains("error")) throw std::runtime_error(d["error"].get<std::string>());
    const auto& res = d["results"];
    std::size_t k = 0;
    for (std::size_t i = static_cast<std::size_t>(r); i < n; i += static_cast<std::size_t>(g_size))
      out[i] = res.at(k++);
  }
  return out;
}

}  // namespace

void init(int* argc, char*** argv) {
  if (!launched()) return;
#ifdef ARCHSIM_WITH_MPI
  std::string why;
  if (!load(why)) {
    // Going on alone would have every rank run everything and write the same files.
    std::fprintf(stderr,
                 "archsim: error: started by mpirun/srun, but the MPI module " ARCHSIM_MPI_MODULE
                 " cannot be loaded (reinstall archsim, or set ARCHSIM_MPI_MODULE to its path):%s\n",
                 why.c_str());
    std::exit(2);
  }
  g_mpi.init(argc, argv, &g_rank, &g_size);
  std::atexit(leave);
#else
  (void)argc;
  (void)argv;
  (void)leave;
#endif
}

int rank() { return g_rank; }
int size() { return g_size; }

bool built_with_mpi() {
#ifdef ARCHSIM_WITH_MPI
  return true;
#else
  return false;
#endif
}

unsigned from_rank0(unsigned x) { return g_size > 1 ? g_mpi.bcast(x) : x; }

std::vector<nlohmann::json> map(
    std::size_t n, const std::function<std::vector<nlohmann::json>(const std::vector<std::size_t>&)>& local) {
  std::vector<std::size_t> mine;
  for (std::size_t i = static_cast<std::size_t>(g_rank); i < n; i += static_cast<std::size_t>(g_size))
    mine.push_back(i);
  if (g_size == 1) return local(mine);
  // Says that MPI is in use (rank 0's stderr; the others' goes nowhere in the CLI).
  if (g_rank == 0) std::fprintf(stderr, "archsim: %zu runs shared over %d MPI ranks\n", n, g_size);
  // Results (or the error) of this rank, as one CBOR document.
  nlohmann::json doc;
  try {
    doc["results"] = local(mine);
  } catch (const std::exception& e) {
    doc["error"] = e.what();
  }
  return scatter_back(all_gather(nlohmann::json::to_cbor(doc)), n);
}

}  // namespace archsim::ranks
