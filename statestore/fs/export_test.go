package fs

// SyncedWrites returns how many synced LevelDB writes the store's committer
// has made, for the benchmarks' puts-per-sync figure.
func SyncedWrites(s *Store) uint64 {
	if s.committer == nil {
		return 0
	}
	return s.committer.writes.Load()
}
