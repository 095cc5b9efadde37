package mem_test

import (
	"errors"
	"testing"

	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/statestore/mem"
	"github.com/goceramic/ceramic/statestore/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) statestore.Store {
		s := mem.New()
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestRegistered(t *testing.T) {
	stores, err := statestore.Open(t.Context(), statestore.Config{Type: mem.Type, Network: "inmemory"})
	if err != nil {
		t.Fatal(err)
	}
	defer stores.Close()
	if err := stores.State.Put(t.Context(), "k", []byte("state")); err != nil {
		t.Fatal(err)
	}
	if _, err := stores.AnchorRequests.Get(t.Context(), "k"); err == nil {
		t.Fatal("the two key spaces share data")
	}
}

func TestReadOnly(t *testing.T) {
	stores, err := statestore.Open(t.Context(), statestore.Config{Type: mem.Type, Network: "inmemory", ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer stores.Close()
	if err := stores.State.Put(t.Context(), "k", nil); !errors.Is(err, statestore.ErrReadOnly) {
		t.Fatalf("Put on a read-only store: %v, want ErrReadOnly", err)
	}
}
