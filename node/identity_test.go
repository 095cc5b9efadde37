package node

import (
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/goceramic/ceramic/config"
)

// TestIdentityFromEnvironment: a new repository takes the identity of IPFS_PRIVATE_KEY (and
// IPFS_PEER_ID); a key that does not match the peer ID stops the node with a message that
// does not quote the key.
func TestIdentityFromEnvironment(t *testing.T) {
	key, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := crypto.MarshalPrivateKey(key)
	pid, _ := peer.IDFromPrivateKey(key)
	encoded := base64.StdEncoding.EncodeToString(raw)

	cfg := testConfig("/ceramic/local-identity")
	cfg.IPFS.RepoPath = filepath.Join(t.TempDir(), "ipfs")
	cfg.IPFS.Identity = config.IPFSIdentity{PeerID: pid.String(), PrivateKey: encoded}
	n := startNode(t, cfg)
	if n.PeerID() != pid.String() {
		t.Fatalf("peer ID %s, want %s", n.PeerID(), pid)
	}

	other, _, _ := crypto.GenerateEd25519Key(nil)
	otherID, _ := peer.IDFromPrivateKey(other)
	bad := testConfig("/ceramic/local-identity-bad")
	bad.IPFS.RepoPath = filepath.Join(t.TempDir(), "ipfs")
	bad.IPFS.Identity = config.IPFSIdentity{PeerID: otherID.String(), PrivateKey: encoded}
	_, err = New(bad)
	if err == nil || !strings.Contains(err.Error(), "IPFS_PEER_ID") || strings.Contains(err.Error(), encoded) {
		t.Fatalf("New with a mismatched identity = %v", err)
	}
}
