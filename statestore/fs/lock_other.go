//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package fs

// lockFile is a no-op here: goleveldb's own lock (taken when the database
// opens) is the only one.
func lockFile(path string, readOnly bool) (func(), error) {
	return func() {}, nil
}
