// latent_mpi.h — the only header Swift sees of the MPI wrapper (mpi.c).
//
// No MPI type crosses this header: communicator, datatypes and operations are
// fixed inside mpi.c (MPI_COMM_WORLD; float, double, bytes; sum), so Swift
// never touches Open MPI's handle macros.
//
// Every call returns 0 on success or an MPI error code. Collectives must be
// called by every rank in the same order, as with MPI itself.
#ifndef LATENT_MPI_H
#define LATENT_MPI_H

#include <stdint.h>

#pragma clang assume_nonnull begin

// 1 when this process was started by a launcher (mpirun/mpiexec, or srun with
// PMIx/PMI), judged from the environment; 0 for a plain process.
int lt_mpi_launched(void);

// MPI_Init once (later calls return 0) and registers MPI_Finalize with atexit.
// Errors return instead of aborting (MPI_ERRORS_RETURN on MPI_COMM_WORLD).
int lt_mpi_init(void);
int lt_mpi_initialized(void);

// Rank and size in MPI_COMM_WORLD (0 and 1 before lt_mpi_init).
int lt_mpi_rank(void);
int lt_mpi_size(void);

// Seconds since an arbitrary point (MPI_Wtime).
double lt_mpi_wtime(void);

int lt_mpi_barrier(void);

// buffer (n) is sent from `root` and overwritten on the other ranks.
int lt_mpi_broadcast_f32(float *buffer, int64_t n, int root);
int lt_mpi_broadcast_bytes(uint8_t *buffer, int64_t n, int root);

// buffer (n) := elementwise sum over the ranks, in place on every rank.
int lt_mpi_allreduce_sum_f32(float *buffer, int64_t n);
int lt_mpi_allreduce_sum_f64(double *buffer, int64_t n);

// counts (size) on root := every rank's `count`; ignored elsewhere.
int lt_mpi_gather_count(int64_t *_Nullable counts, int64_t count, int root);

// Variable-length gather of bytes: rank r's send (count) lands at
// received + offsets[r] on root (counts and offsets from lt_mpi_gather_count;
// received, counts and offsets are ignored on the other ranks).
int lt_mpi_gather_bytes(uint8_t *_Nullable received, const int64_t *_Nullable counts,
                        const int64_t *_Nullable offsets, const uint8_t *_Nullable send,
                        int64_t count, int root);

// MPI_Abort on MPI_COMM_WORLD: ends every rank of the job with `code`.
void lt_mpi_abort(int code);

// One line describing an MPI error code, into message (capacity bytes).
void lt_mpi_error_string(char *message, int capacity, int code);

#pragma clang assume_nonnull end

#endif
