//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package fs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// lockFile takes a non-blocking whole-file fcntl lock on path (a write lock,
// or a read lock when readOnly), creating the file unless readOnly.
//
// Where the system has open-file-description locks (Linux), they are used:
// they conflict with the classic record locks other processes take, but
// unlike those they are not dropped when this process closes some other
// descriptor of the same file, which goleveldb does when it closes its own
// lock. Elsewhere the classic lock is used.
func lockFile(path string, readOnly bool) (func(), error) {
	flag, typ := os.O_RDWR|os.O_CREATE, int16(syscall.F_WRLCK)
	if readOnly {
		flag, typ = os.O_RDONLY, int16(syscall.F_RDLCK)
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if readOnly && errors.Is(err, os.ErrNotExist) {
		return func() {}, nil // no database here; opening it will say so
	}
	if err != nil {
		return nil, err
	}
	lk := syscall.Flock_t{Type: typ, Whence: io.SeekStart}
	err = setLock(f, &lk)
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
		// fcntl reports a conflicting lock with either, depending on the system.
		f.Close()
		return nil, fmt.Errorf("%w: %w", errHeld, err)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		lk.Type = syscall.F_UNLCK
		setLock(f, &lk)
		f.Close()
	}, nil
}

func setLock(f *os.File, lk *syscall.Flock_t) error {
	if ofdSetLock != 0 {
		err := syscall.FcntlFlock(f.Fd(), ofdSetLock, lk)
		if !errors.Is(err, syscall.EINVAL) {
			return err
		}
		// EINVAL: a kernel without open-file-description locks.
	}
	return syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, lk)
}
