package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SeedURLPrefix starts every node seed URL: "inplace:ed25519#" followed by 64 hex digits.
const SeedURLPrefix = "inplace:ed25519#"

// seedLen is the length of an Ed25519 seed in bytes.
const seedLen = 32

// errSeedFormat deliberately says nothing about the value, which is secret.
var errSeedFormat = errors.New("config: the node seed must be " + SeedURLPrefix + " followed by 64 hex digits")

// NewSeedURL returns a fresh node seed URL, "inplace:ed25519#<64 hex digits>", reading 32
// bytes from r (crypto/rand when r is nil).
func NewSeedURL(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	seed := make([]byte, seedLen)
	if _, err := io.ReadFull(r, seed); err != nil {
		return "", fmt.Errorf("config: generate node seed: %w", err)
	}
	return SeedURLPrefix + hex.EncodeToString(seed), nil
}

// ParseSeedURL returns the 32-byte Ed25519 seed of a seed URL ("inplace:ed25519#" followed
// by 64 hex digits, either case). The error never contains the value.
func ParseSeedURL(s string) ([]byte, error) {
	h, ok := strings.CutPrefix(s, SeedURLPrefix)
	if !ok || len(h) != 2*seedLen {
		return nil, errSeedFormat
	}
	seed, err := hex.DecodeString(h)
	if err != nil {
		return nil, errSeedFormat
	}
	return seed, nil
}
