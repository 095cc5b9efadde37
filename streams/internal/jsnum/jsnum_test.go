package jsnum

import (
	"encoding/json"
	"math"
	"testing"
)

func TestFormat(t *testing.T) {
	cases := map[float64]string{
		0: "0", 1: "1", -1.5: "-1.5", 0.1: "0.1", 1e21: "1e+21", 1e20: "100000000000000000000",
		1e-7: "1e-7", 0.000001: "0.000001", 123.456e30: "1.23456e+32", math.Inf(1): "Infinity", math.NaN(): "NaN",
	}
	for f, want := range cases {
		if got := Format(f); got != want {
			t.Errorf("Format(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestNumberAndBigInt(t *testing.T) {
	if f, ok := Number(json.Number("2.5")); !ok || f != 2.5 {
		t.Errorf("Number(2.5) = %v, %v", f, ok)
	}
	if _, ok := Number(int64(1 << 60)); ok {
		t.Error("an int64 beyond 2^53 read as a Number")
	}
	if i, big := BigInt(json.Number("9007199254740993")); !big || i != 9007199254740993 {
		t.Errorf("BigInt = %v, %v", i, big)
	}
	if _, ok := Number("3"); ok {
		t.Error("a string read as a Number")
	}
}
