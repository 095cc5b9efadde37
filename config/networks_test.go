package config

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestSupportedNetworks(t *testing.T) {
	want := []string{"mainnet", "testnet-clay", "dev-unstable", "local", "inmemory"}
	if got := SupportedNetworks(); !slices.Equal(got, want) {
		t.Errorf("SupportedNetworks() = %q, want %q", got, want)
	}
}

func TestLookupNetwork(t *testing.T) {
	tests := []struct {
		name        string
		wantName    string
		wantCAS     string
		wantChains  []string
		wantPeers   int
		customCAS   bool
		customTopic bool
	}{
		{name: "mainnet", wantName: "mainnet", wantCAS: "https://cas.3boxlabs.com", wantChains: []string{"eip155:1"}, wantPeers: 2},
		{name: "elp", wantName: "mainnet", wantCAS: "https://cas.3boxlabs.com", wantChains: []string{"eip155:1"}, wantPeers: 2},
		{name: "testnet-clay", wantName: "testnet-clay", wantCAS: "https://cas-clay.3boxlabs.com", wantChains: []string{"eip155:3", "eip155:4", "eip155:100"}, wantPeers: 3, customCAS: true},
		{name: "dev-unstable", wantName: "dev-unstable", wantCAS: "https://cas-qa.3boxlabs.com", wantChains: []string{"eip155:3", "eip155:4", "eip155:5"}, wantPeers: 3, customCAS: true},
		{name: "local", wantName: "local", wantCAS: "http://localhost:8081", wantChains: []string{"eip155:1337"}, customCAS: true, customTopic: true},
		{name: "inmemory", wantName: "inmemory", wantChains: []string{"inmemory:12345"}, customCAS: true, customTopic: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, ok := LookupNetwork(tt.name)
			if !ok {
				t.Fatal("not found")
			}
			if info.Name != tt.wantName || info.DefaultAnchorServiceURL != tt.wantCAS || !slices.Equal(info.AnchorChains, tt.wantChains) ||
				len(info.BootstrapPeers) != tt.wantPeers || info.CustomAnchorServiceAllowed != tt.customCAS || info.CustomTopicAllowed != tt.customTopic {
				t.Errorf("got %+v", info)
			}
			for _, p := range info.BootstrapPeers {
				if !strings.HasPrefix(p, "/dns4/") || !strings.Contains(p, "/p2p/") {
					t.Errorf("bootstrap peer %q is not a dns4 multiaddr with a peer ID", p)
				}
			}
		})
	}
	for _, name := range []string{"", "Mainnet", "elp-clay", "testnet"} {
		if _, ok := LookupNetwork(name); ok {
			t.Errorf("LookupNetwork(%q) found a network", name)
		}
	}

	// The table cannot be changed through a lookup result.
	a, _ := LookupNetwork(NetworkMainnet)
	a.BootstrapPeers[0] = "changed"
	a.AllowedAnchorServiceURLs[0] = "changed"
	b, _ := LookupNetwork(NetworkMainnet)
	if b.BootstrapPeers[0] == "changed" || b.AllowedAnchorServiceURLs[0] == "changed" {
		t.Error("LookupNetwork returns shared slices")
	}
}

func TestNetworkTopic(t *testing.T) {
	four := func() *bytes.Reader { return bytes.NewReader([]byte{0xde, 0xad, 0xbe, 0xef}) }
	tests := []struct {
		network  string
		override string
		want     string
		wantErr  string
	}{
		{network: "mainnet", want: "/ceramic/mainnet"},
		{network: "elp", want: "/ceramic/mainnet"},
		{network: "testnet-clay", want: "/ceramic/testnet-clay"},
		{network: "dev-unstable", want: "/ceramic/dev-unstable"},
		{network: "local", want: "/ceramic/local-3735928559"},
		{network: "inmemory", want: "/ceramic/inmemory-3735928559"},
		{network: "local", override: "/mine", want: "/mine"},
		{network: "inmemory", override: "/mine", want: "/mine"},
		{network: "testnet-clay", override: "/mine", wantErr: "Specifying pub/sub topic is only supported for the 'inmemory' and 'local' networks"},
	}
	for _, tt := range tests {
		t.Run(tt.network+"/"+tt.override, func(t *testing.T) {
			info, _ := LookupNetwork(tt.network)
			got, err := info.Topic(tt.override, four())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Topic = %q, %v; want %q", got, err, tt.want)
			}
		})
	}

	info, _ := LookupNetwork(NetworkLocal)
	if _, err := info.Topic("", bytes.NewReader(nil)); err == nil {
		t.Error("Topic with an empty random source succeeded")
	}
	if got, err := info.Topic("", nil); err != nil || !strings.HasPrefix(got, "/ceramic/local-") {
		t.Errorf("Topic with crypto/rand = %q, %v", got, err)
	}
}

func TestNetworkCanonical(t *testing.T) {
	for name, want := range map[string]string{"elp": "mainnet", "mainnet": "mainnet", "local": "local", "bogus": "bogus"} {
		if got := (Network{Name: name}).Canonical(); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", name, got, want)
		}
	}
}
