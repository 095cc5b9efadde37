//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package fs

// ofdSetLock is zero where open-file-description locks are not used.
const ofdSetLock = 0
