package merkle

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ipfs/go-cid"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/goceramic/ceramic/streams/codec"
)

// Errors of [Build].
var (
	// ErrNoLeaves is returned by [Build] for an empty list of leaves.
	ErrNoLeaves = errors.New("merkle: a tree needs at least one leaf")
	// ErrDuplicateLeaf is wrapped when two leaves have the same CID: a tip is anchored once
	// per tree, and its path would be ambiguous.
	ErrDuplicateLeaf = errors.New("merkle: duplicate leaf")
)

// Leaf is one tip to anchor, with the stream facts the leaves are sorted by.
type Leaf struct {
	// CID is the anchored commit (the stream's tip). It becomes an element of a tree node.
	CID cid.Cid
	// StreamID is the stream's StreamID string ("k…").
	StreamID string
	// Model is the StreamID string of the stream's model, "" for streams without one.
	Model string
	// Controller is the stream's first controller (a DID), "" if unknown.
	Controller string
}

// Tree is a built Merkle tree: its internal nodes and where each leaf sits. It is immutable
// and safe for concurrent use.
type Tree struct {
	nodes  []node   // internal nodes in pre-order: nodes[0] is the root
	leaves []Leaf   // in tree order (left to right)
	paths  []string // paths[i] is the path of leaves[i]
	index  map[cid.Cid]int
	root   cid.Cid
}

// node is an internal tree node. A child is an index into Tree.nodes when ≥ 0, the leaf
// -(c+1) when < 0, and absent (null) when it is noChild.
type node struct {
	block       codec.Block
	left, right int
}

const noChild = int(^uint(0) >> 1) // the largest int: neither a node nor a leaf

// Build sorts the leaves and builds their tree (see the package documentation for the
// shape). It fails with [ErrNoLeaves] for no leaves and with an error wrapping
// [ErrDuplicateLeaf] when two leaves have the same CID; a leaf with an undefined CID is an
// error too.
//
// The order is the CAS's (its IpfsLeafCompare), so that a batch anchored here has the tree
// the CAS would have built for it:
//
//  1. leaves with a Model before leaves without one; among leaves with a Model, by Model;
//  2. then by Controller;
//  3. then by StreamID;
//  4. then, only to make the order total (the CAS never has two leaves of one stream), by
//     the bytes of the leaf CID.
//
// Strings are compared as JavaScript's String.prototype.localeCompare compares them in
// Node.js: ICU's root collation at tertiary strength, where punctuation sorts before digits
// and digits before letters, and case only breaks ties between otherwise equal strings,
// lower case first ("did:pkh:eip155:1:0xab" < "did:pkh:eip155:1:0xAb" <
// "did:pkh:eip155:100:0xab", unlike byte order). golang.org/x/text/collate
// implements the same collation. Like the CAS, a step that finds two different strings
// equal under the collation ends the comparison, and the input order of those leaves is
// kept (the sort is stable, as JavaScript's is); this cannot happen for StreamIDs and DIDs,
// which are printable ASCII.
//
// Verifiers never depend on the order: it only decides which tips share subtrees.
func Build(leaves []Leaf) (*Tree, error) {
	if len(leaves) == 0 {
		return nil, ErrNoLeaves
	}
	t := &Tree{
		leaves: make([]Leaf, len(leaves)),
		paths:  make([]string, len(leaves)),
		index:  make(map[cid.Cid]int, len(leaves)),
		nodes:  make([]node, 0, len(leaves)),
	}
	copy(t.leaves, leaves)
	for i, l := range t.leaves {
		if !l.CID.Defined() {
			return nil, fmt.Errorf("merkle: leaf %d (stream %q) has no CID", i, l.StreamID)
		}
		if _, dup := t.index[l.CID]; dup {
			return nil, fmt.Errorf("%w: %s", ErrDuplicateLeaf, l.CID)
		}
		t.index[l.CID] = i
	}
	sortLeaves(t.leaves)
	for i, l := range t.leaves {
		t.index[l.CID] = i
	}

	if len(t.leaves) == 1 {
		b, err := encodeNode(t.leaves[0].CID, cid.Undef)
		if err != nil {
			return nil, err
		}
		t.nodes = append(t.nodes, node{block: b, left: -1, right: noChild})
		t.paths[0] = "0"
		t.root = b.CID
		return t, nil
	}
	root, _, err := t.build(0, len(t.leaves), "")
	if err != nil {
		return nil, err
	}
	t.root = root
	return t, nil
}

// build builds the subtree of leaves[lo:hi] whose path from the root is path. It returns the
// subtree's CID and its child reference (see node).
func (t *Tree) build(lo, hi int, path string) (cid.Cid, int, error) {
	if hi-lo == 1 {
		t.paths[lo] = path
		return t.leaves[lo].CID, -(lo + 1), nil
	}
	idx := len(t.nodes)
	t.nodes = append(t.nodes, node{}) // reserved: the root and each parent precede their children
	mid := lo + (hi-lo)/2
	left, lref, err := t.build(lo, mid, join(path, "0"))
	if err != nil {
		return cid.Undef, 0, err
	}
	right, rref, err := t.build(mid, hi, join(path, "1"))
	if err != nil {
		return cid.Undef, 0, err
	}
	b, err := encodeNode(left, right)
	if err != nil {
		return cid.Undef, 0, err
	}
	t.nodes[idx] = node{block: b, left: lref, right: rref}
	return b.CID, idx, nil
}

func join(path, seg string) string {
	if path == "" {
		return seg
	}
	return path + "/" + seg
}

// encodeNode encodes the node [left, right], or [left, null] when right is undefined.
func encodeNode(left, right cid.Cid) (codec.Block, error) {
	var r any
	if right.Defined() {
		r = right
	}
	data, err := codec.EncodeDagCBOR([]any{left, r})
	if err != nil {
		return codec.Block{}, fmt.Errorf("merkle: encoding a node: %w", err)
	}
	return codec.NewBlock(codec.DagCBOR, data), nil
}

// sortLeaves sorts leaves in the order documented on [Build].
func sortLeaves(leaves []Leaf) {
	type keyed struct {
		model, controller, stream []byte
		leaf                      Leaf
	}
	col := collate.New(language.Und)
	var buf collate.Buffer
	ks := make([]keyed, len(leaves))
	for i, l := range leaves {
		ks[i] = keyed{leaf: l}
		if l.Model != "" {
			ks[i].model = col.KeyFromString(&buf, l.Model)
		}
		ks[i].controller = col.KeyFromString(&buf, l.Controller)
		ks[i].stream = col.KeyFromString(&buf, l.StreamID)
	}
	sort.SliceStable(ks, func(i, j int) bool {
		a, b := &ks[i], &ks[j]
		if a.leaf.Model != b.leaf.Model {
			switch {
			case b.leaf.Model == "":
				return true // streams with a model first
			case a.leaf.Model == "":
				return false
			}
			return bytes.Compare(a.model, b.model) < 0
		}
		if a.leaf.Controller != b.leaf.Controller {
			return bytes.Compare(a.controller, b.controller) < 0
		}
		if c := bytes.Compare(a.stream, b.stream); c != 0 || a.leaf.StreamID != b.leaf.StreamID {
			return c < 0
		}
		return bytes.Compare(a.leaf.CID.Bytes(), b.leaf.CID.Bytes()) < 0
	})
	for i := range ks {
		leaves[i] = ks[i].leaf
	}
}

// Root returns the CID of the root node: the value an anchor transaction commits to and
// anchor proofs name as their root.
func (t *Tree) Root() cid.Cid { return t.root }

// Blocks returns every node of the tree, the root first (pre-order). Leaves are not
// included: they are the anchored commits, stored elsewhere.
func (t *Tree) Blocks() []codec.Block {
	out := make([]codec.Block, len(t.nodes))
	for i, n := range t.nodes {
		out[i] = n.block
	}
	return out
}

// Leaves returns the leaves in tree order, left to right (the sorted order of [Build]).
func (t *Tree) Leaves() []Leaf {
	return append([]Leaf(nil), t.leaves...)
}

// Path returns the path from the root to leaf ("0/1/1"; "0" in a one-leaf tree), and false
// when leaf is not a leaf of the tree.
func (t *Tree) Path(leaf cid.Cid) (string, bool) {
	i, ok := t.index[leaf]
	if !ok {
		return "", false
	}
	return t.paths[i], true
}

// Witness returns the nodes a verifier needs to walk from the root to leaf: the root and
// every node on the path, root first, not the leaf itself. It returns nil when leaf is not a
// leaf of the tree.
func (t *Tree) Witness(leaf cid.Cid) []codec.Block {
	i, ok := t.index[leaf]
	if !ok {
		return nil
	}
	var out []codec.Block
	ref := 0
	for _, seg := range strings.Split(t.paths[i], "/") {
		n := t.nodes[ref]
		out = append(out, n.block)
		if seg == "0" {
			ref = n.left
		} else {
			ref = n.right
		}
		if ref < 0 {
			break // reached the leaf
		}
	}
	return out
}
