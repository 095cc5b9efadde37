package fs

// ofdSetLock is F_OFD_SETLK (Linux 3.15+), which the syscall package does not
// name.
const ofdSetLock = 37
