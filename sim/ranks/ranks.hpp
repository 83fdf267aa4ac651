// Runs across machines: the process's place among MPI ranks, and a map whose
// items are shared out over the ranks (rank r takes i with i % size == r),
// each rank's share on threads as parallel_for does. Without MPI in the build,
// or when the program was not started by mpirun/srun, there is one rank.
// MPI itself is called only from the MPI module (ranks/mpi_module.cpp,
// libarchsim_mpi.so), loaded by init() when a launcher started archsim.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace archsim::ranks {

/// Joins the MPI job when the launcher started this process (mpirun, srun);
/// otherwise does nothing. Call once, first thing in main. The job is left
/// at exit.
void init(int* argc, char*** argv);

int rank();  ///< 0 without MPI
int size();  ///< 1 without MPI
bool built_with_mpi();

/// Rank 0's value of x on every rank (so that, e.g., a search's rounds are the
/// same on machines with different numbers of cores).
unsigned from_rank0(unsigned x);

/// Runs f(i) for the items of this rank, then gathers every rank's results as
/// JSON (nlohmann, sent as CBOR so doubles arrive bit for bit) on rank 0 and
/// broadcasts them back, so every rank continues with the same values. With
/// one rank the results are the JSON `local` made, not sent anywhere. An exception on any rank is rethrown on
/// every rank as a runtime_error with its message.
/// `local(i_list)` runs this rank's items (on threads) and returns their results
/// in the same order.
std::vector<nlohmann::json> map(
    std::size_t n, const std::function<std::vector<nlohmann::json>(const std::vector<std::size_t>&)>& local);

}  // namespace archsim::ranks
