// Open MPI from Debian (libopenmpi-dev; pkg-config ompi-c). Only CLatentMPI's
// mpi.c includes it: Swift sees MPI through CLatentMPI's plain-C header.
#include <mpi.h>
