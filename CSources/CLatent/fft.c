// fft.c — the only file that includes <fftw3.h> (see blas.c for why).
#include <fftw3.h>

#include "internal.h"

const char *lt_fftw_version(void) { return fftwf_version; }
