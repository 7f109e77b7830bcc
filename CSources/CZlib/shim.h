// The system zlib (Debian: zlib1g-dev), for PNG, .npz and .gz files.
#include <zlib.h>
