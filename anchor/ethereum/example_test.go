package ethereum_test

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor"
	"github.com/goceramic/ceramic/anchor/ethereum"
)

// The Validator is the chain validator of the anchor package.
var _ anchor.ChainValidator = (*ethereum.Validator)(nil)

func ExampleCalldata() {
	root, _ := cid.Decode("bafyreic5p7grucmzx363ayxgoywb6d4qf5zjxgbqjixpkokbf5jtmdj5ni")
	data, _ := ethereum.Calldata(root)
	fmt.Printf("0x%x\n", data)
	back, _ := ethereum.RootFromCalldata(data)
	fmt.Println(back)
	// Output:
	// 0x97ad09eb5d7fcd1a0999befdb062e6762c1f0f902f729b98304a2ef539412f53360d3d6a
	// bafyreic5p7grucmzx363ayxgoywb6d4qf5zjxgbqjixpkokbf5jtmdj5ni
}

func ExampleTxHashCID() {
	h := common.HexToHash("0xfb2a35e49609430df5e493b409a70336c8a02c96ed59927eda074413b015e459")
	fmt.Println(ethereum.TxHashCID(h))
	// Output: bagjqcgza7mvdlzewbfbq35peso2atjydg3ekalew5vmze7w2a5cbhmav4rmq
}
