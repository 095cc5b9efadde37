package fs_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/statestore/fs"
)

func ExampleOpen() {
	root, _ := os.MkdirTemp("", "statestore")
	defer os.RemoveAll(root)
	ctx := context.Background()

	s, err := fs.Open(filepath.Join(root, "testnet-clay"), nil)
	if err != nil {
		panic(err) // errors.Is(err, fs.ErrLocked) if a node runs on it
	}
	if err := s.Put(ctx, "kjzl6cwe1jw14example", []byte(`{"type":0,"doctype":"tile"}`)); err != nil {
		panic(err)
	}
	s.Close()

	// The same directory through the registry, read-only.
	stores, err := statestore.Open(ctx, statestore.Config{Type: fs.Type, Dir: root, Network: "testnet-clay", ReadOnly: true})
	if err != nil {
		panic(err)
	}
	defer stores.Close()
	v, _ := stores.State.Get(ctx, "kjzl6cwe1jw14example")
	fmt.Println(string(v))
	// Output: {"type":0,"doctype":"tile"}
}
