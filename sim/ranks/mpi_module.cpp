// The MPI module (libarchsim_mpi.so): the only code that calls MPI, loaded
// by ranks/ranks.cpp only when mpirun or srun started archsim, so that
// OpenMPI's libraries are not loaded at every start. Plain C entry points,
// found with dlsym.
#include <mpi.h>

#include <cstdint>
#include <vector>

extern "C" {

/// Joins the job (the main thread alone calls MPI; worker threads only
/// simulate) and says this process's rank and the number of ranks.
void archsim_mpi_init(int* argc, char*** argv, int* rank, int* size) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
}

void archsim_mpi_finalize() {
  int done = 0;
  MPI_Finalized(&done);
  if (!done) MPI_Finalize();
}

/// Rank 0's x, on every rank.
unsigned archsim_mpi_bcast(unsigned x) {
  MPI_Bcast(&x, 1, MPI_UNSIGNED, 0, MPI_COMM_WORLD);
  return x;
}

/// Every rank's bytes on every rank: `all` their concatenation in rank order,
/// `lens` each rank's length.
void archsim_mpi_all_gather(const std::vector<std::uint8_t>* mine, std::vector<std::uint8_t>* all,
                            std::vector<int>* lens) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int len = static_cast<int>(mine->size());
  lens->assign(static_cast<std::size_t>(size), 0);
  std::vector<int> offs(lens->size());
  MPI_Allgather(&len, 1, MPI_INT, lens->data(), 1, MPI_INT, MPI_COMM_WORLD);
  int total = 0;
  for (std::size_t r = 0; r < lens->size(); ++r) offs[r] = total, total += (*lens)[r];
  all->assign(static_cast<std::size_t>(total), 0);
  MPI_Allgatherv(mine->data(), len, MPI_BYTE, all->data(), lens->data(), offs.data(), MPI_BYTE,
                 MPI_COMM_WORLD);
}
}
