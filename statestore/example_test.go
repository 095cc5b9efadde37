package statestore_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/goceramic/ceramic/statestore"
	_ "github.com/goceramic/ceramic/statestore/mem"
)

func ExampleOpen() {
	ctx := context.Background()
	stores, err := statestore.Open(ctx, statestore.Config{Type: "mem", Network: "inmemory"})
	if err != nil {
		panic(err)
	}
	defer stores.Close()

	const id = "kjzl6cwe1jw14ahmwunhk9yjwawac12tb52j1uj3b9a57eohmhycec8778p3syv"
	err = stores.State.Put(ctx, id, []byte(`{"type":0,"doctype":"tile","anchorStatus":"PENDING","log":[]}`))
	if err != nil {
		panic(err)
	}
	for e, err := range stores.State.List(ctx, statestore.ListOptions{KeysOnly: true}) {
		if err != nil {
			panic(err)
		}
		fmt.Println("pinned:", e.Key)
	}
	_, err = stores.AnchorRequests.Get(ctx, id)
	fmt.Println("anchor request:", errors.Is(err, statestore.ErrNotFound))
	// Output:
	// pinned: kjzl6cwe1jw14ahmwunhk9yjwawac12tb52j1uj3b9a57eohmhycec8778p3syv
	// anchor request: true
}

func ExampleEncodeAnchorRequest() {
	inner := []byte(`{"cid":"bagcqcera","timestamp":1700000789012,"genesis":{"header":{"controllers":["did:key:z6Mk"]}}}`)
	stored, err := statestore.EncodeAnchorRequest(inner)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(stored))
	back, _ := statestore.DecodeAnchorRequest(stored)
	fmt.Println(string(back) == string(inner))
	// Output:
	// "{\"cid\":\"bagcqcera\",\"timestamp\":1700000789012,\"genesis\":{\"header\":{\"controllers\":[\"did:key:z6Mk\"]}}}"
	// true
}

func ExampleListOptions_paging() {
	ctx := context.Background()
	stores, _ := statestore.Open(ctx, statestore.Config{Type: "mem", Network: "inmemory"})
	defer stores.Close()
	for _, k := range []string{"k1", "k2", "k3", "k4", "k5"} {
		stores.AnchorRequests.Put(ctx, k, []byte(`"{}"`))
	}
	after := ""
	for {
		var page []string
		for e, err := range stores.AnchorRequests.List(ctx, statestore.ListOptions{After: after, Limit: 2}) {
			if err != nil {
				panic(err)
			}
			page = append(page, e.Key)
		}
		if len(page) == 0 {
			break
		}
		fmt.Println(page)
		after = page[len(page)-1]
	}
	// Output:
	// [k1 k2]
	// [k3 k4]
	// [k5]
}
