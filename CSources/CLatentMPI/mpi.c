// mpi.c — the one file that includes <mpi.h>: MPI_COMM_WORLD collectives on
// float, double and byte buffers for LatentMPI (Swift).
//
// Counts are int in MPI-3, so buffers longer than INT_MAX elements are sent in
// pieces; a piece boundary changes nothing (the operations are elementwise).
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "latent_mpi.h"

static const int64_t piece = INT_MAX / 2;

int lt_mpi_launched(void) {
  // Open MPI's launcher sets OMPI_COMM_WORLD_SIZE; PMIx and PMI-2 launchers
  // (srun, hydra) set PMIX_RANK or PMI_RANK.
  return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL ||
         getenv("PMI_RANK") != NULL;
}

static void finalize_at_exit(void) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Finalize();
}

int lt_mpi_init(void) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return 0;
  int status = MPI_Init(NULL, NULL);
  if (status != MPI_SUCCESS) return status;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  atexit(finalize_at_exit);
  return 0;
}

int lt_mpi_initialized(void) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

int lt_mpi_rank(void) {
  if (!lt_mpi_initialized()) return 0;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int lt_mpi_size(void) {
  if (!lt_mpi_initialized()) return 1;
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

double lt_mpi_wtime(void) { return MPI_Wtime(); }

int lt_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

int lt_mpi_broadcast_f32(float *buffer, int64_t n, int root) {
  for (int64_t i = 0; i < n; i += piece) {
    int c = (int)(n - i < piece ? n - i : piece);
    int status = MPI_Bcast(buffer + i, c, MPI_FLOAT, root, MPI_COMM_WORLD);
    if (status != MPI_SUCCESS) return status;
  }
  return 0;
}

int lt_mpi_broadcast_bytes(uint8_t *buffer, int64_t n, int root) {
  for (int64_t i = 0; i < n; i += piece) {
    int c = (int)(n - i < piece ? n - i : piece);
    int status = MPI_Bcast(buffer + i, c, MPI_BYTE, root, MPI_COMM_WORLD);
    if (status != MPI_SUCCESS) return status;
  }
  return 0;
}

int lt_mpi_allreduce_sum_f32(float *buffer, int64_t n) {
  for (int64_t i = 0; i < n; i += piece) {
    int c = (int)(n - i < piece ? n - i : piece);
    int status = MPI_Allreduce(MPI_IN_PLACE, buffer + i, c, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    if (status != MPI_SUCCESS) return status;
  }
  return 0;
}

int lt_mpi_allreduce_sum_f64(double *buffer, int64_t n) {
  for (int64_t i = 0; i < n; i += piece) {
    int c = (int)(n - i < piece ? n - i : piece);
    int status = MPI_Allreduce(MPI_IN_PLACE, buffer + i, c, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    if (status != MPI_SUCCESS) return status;
  }
  return 0;
}

int lt_mpi_gather_count(int64_t *counts, int64_t count, int root) {
  return MPI_Gather(&count, 1, MPI_INT64_T, counts, 1, MPI_INT64_T, root, MPI_COMM_WORLD);
}

int lt_mpi_gather_bytes(uint8_t *received, const int64_t *counts, const int64_t *offsets,
                        const uint8_t *send, int64_t count, int root) {
  // Small results only (score rows): one MPI_Gatherv with int counts.
  if (count > INT_MAX) return MPI_ERR_COUNT;
  int rank = lt_mpi_rank(), size = lt_mpi_size();
  int *c = NULL, *d = NULL;
  if (rank == root) {
    c = malloc(sizeof(int) * (size_t)size);
    d = malloc(sizeof(int) * (size_t)size);
    if (c == NULL || d == NULL) { free(c); free(d); return MPI_ERR_NO_MEM; }
    for (int r = 0; r < size; r++) {
      if (counts[r] > INT_MAX || offsets[r] > INT_MAX) { free(c); free(d); return MPI_ERR_COUNT; }
      c[r] = (int)counts[r];
      d[r] = (int)offsets[r];
    }
  }
  int status = MPI_Gatherv(send, (int)count, MPI_BYTE, received, c, d, MPI_BYTE, root, MPI_COMM_WORLD);
  free(c);
  free(d);
  return status;
}

void lt_mpi_abort(int code) {
  if (lt_mpi_initialized()) MPI_Abort(MPI_COMM_WORLD, code);
  exit(code);
}

void lt_mpi_error_string(char *message, int capacity, int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (capacity <= 0) return;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  text[length < MPI_MAX_ERROR_STRING ? length : MPI_MAX_ERROR_STRING - 1] = 0;
  strncpy(message, text, (size_t)capacity - 1);
  message[capacity - 1] = 0;
}
