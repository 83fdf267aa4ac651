#include "ranks/ranks.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>

#ifdef ARCHSIM_WITH_MPI
#include <mpi.h>
#endif

namespace archsim::ranks {
namespace {

int g_rank = 0, g_size = 1;

#ifdef ARCHSIM_WITH_MPI
/// Whether a launcher started us: OpenMPI's mpirun, or a PMI/PMIx launcher
/// such as Slurm's srun. A plain start skips MPI_Init (a singleton init is
/// slow and may print about network interfaces).
bool launched() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(v)) return true;
  return false;
}

void leave() {
  int done = 0;
  MPI_Finalized(&done);
  if (!done) MPI_Finalize();
}

/// Every rank's bytes, concatenated in rank order, on every rank.
std::vector<std::uint8_t> all_gather(const std::vector<std::uint8_t>& mine) {
  int len = static_cast<int>(mine.size());
  std::vector<int> lens(static_cast<std::size_t>(g_size)), offs(lens.size());
  MPI_Allgather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, MPI_COMM_WORLD);
  int total = 0;
  for (std::size_t r = 0; r < lens.size(); ++r) offs[r] = total, total += lens[r];
  std::vector<std::uint8_t> all(static_cast<std::size_t>(total));
  MPI_Allgatherv(mine.data(), len, MPI_BYTE, all.data(), lens.data(), offs.data(), MPI_BYTE, MPI_COMM_WORLD);
  // Split back into one CBOR document per rank, prefixed below with its length.
  std::vector<std::uint8_t> out;
  out.reserve(all.size() + 4 * lens.size());
  for (std::size_t r = 0; r < lens.size(); ++r) {
    const auto l = static_cast<std::uint32_t>(lens[r]);
    for (int b = 0; b < 4; ++b) out.push_back(static_cast<std::uint8_t>(l >> (8 * b)));
    out.insert(out.end(), all.begin() + offs[r], all.begin() + offs[r] + lens[r]);
  }
  return out;
}
#endif

}  // namespace

void init(int* argc, char*** argv) {
#ifdef ARCHSIM_WITH_MPI
  if (!launched()) return;
  int provided = 0;
  // Only the main thread calls MPI; worker threads only simulate.
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  std::atexit(leave);
#else
  (void)argc;
  (void)argv;
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

unsigned from_rank0(unsigned x) {
#ifdef ARCHSIM_WITH_MPI
  if (g_size > 1) MPI_Bcast(&x, 1, MPI_UNSIGNED, 0, MPI_COMM_WORLD);
#endif
  return x;
}

std::vector<nlohmann::json> map(std::size_t n,
                                const std::function<std::vector<nlohmann::json>(const std::vector<std::size_t>&)>& local) {
  std::vector<std::size_t> mine;
  for (std::size_t i = static_cast<std::size_t>(g_rank); i < n; i += static_cast<std::size_t>(g_size)) mine.push_back(i);
  if (g_size == 1) return local(mine);
#ifdef ARCHSIM_WITH_MPI
  // Says that MPI is in use (rank 0's stderr; the others' goes nowhere in the CLI).
  if (g_rank == 0) std::fprintf(stderr, "archsim: %zu runs shared over %d MPI ranks\n", n, g_size);
  // Results (or the error) of this rank, as one CBOR document.
  nlohmann::json doc;
  try {
    doc["results"] = local(mine);
  } catch (const std::exception& e) {
    doc["error"] = e.what();
  }
  const std::vector<std::uint8_t> all = all_gather(nlohmann::json::to_cbor(doc));
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
    for (std::size_t i = static_cast<std::size_t>(r); i < n; i += static_cast<std::size_t>(g_size)) out[i] = res.at(k++);
  }
  return out;
#else
  return local(mine);
#endif
}

}  // namespace archsim::ranks
