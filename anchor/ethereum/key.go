package ethereum

import (
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
)

// ParsePrivateKey reads a secp256k1 private key written as 64 hex digits, with or without
// a 0x prefix (surrounding white space is ignored). Its errors never repeat the input.
func ParsePrivateKey(s string) (*ecdsa.PrivateKey, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
	}
	if len(s) != 64 {
		return nil, errors.New("ethereum: a private key must be 64 hex digits (32 bytes), optionally prefixed with 0x")
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, errors.New("ethereum: the private key is not hexadecimal")
	}
	k, err := crypto.ToECDSA(b)
	if err != nil {
		return nil, errors.New("ethereum: the private key is not a valid secp256k1 key (zero or not below the curve order)")
	}
	return k, nil
}
