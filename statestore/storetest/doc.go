// Package storetest is the conformance suite for [statestore.Store]
// implementations. Every backend runs it from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) statestore.Store {
//			s, err := fs.Open(t.TempDir(), nil)
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// A remote backend (s3) runs it only when its test environment is
// configured, and skips otherwise.
//
// The suite covers get/put/delete and overwrite, missing keys, invalid keys,
// empty and large (1 MiB) values, slice ownership, list order, prefix, start,
// after and limit, paging, early break, writes from inside a listing,
// canceled contexts, concurrent writers, batches and the behaviour after
// Close. It uses only the public contract, so a failure names a rule of the
// [statestore.Store] documentation.
package storetest
