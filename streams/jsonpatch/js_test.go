package jsonpatch

import (
	"math"
	"testing"
)

func TestNumberToString(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{1, "1"},
		{-1.5, "-1.5"},
		{0.1, "0.1"},
		{1e21, "1e+21"},
		{123456789012345680000, "123456789012345680000"},
		{1e-7, "1e-7"},
		{1.5e-7, "1.5e-7"},
		{0.000001, "0.000001"},
		{math.NaN(), "NaN"},
		{math.Inf(-1), "-Infinity"},
		{2.5e300, "2.5e+300"},
	}
	for _, tt := range tests {
		if got := numberToString(tt.in); got != tt.want {
			t.Errorf("numberToString(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStringToNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"", 0},
		{"  12  ", 12},
		{"\u00a0\ufeff7\n", 7},
		{"0x1f", 31},
		{"0b101", 5},
		{"0o17", 15},
		{"-0x1", math.NaN()},
		{"1e3", 1000},
		{".5", 0.5},
		{"5.", 5},
		{".", math.NaN()},
		{"1e", math.NaN()},
		{"+Infinity", math.Inf(1)},
		{"-Infinity", math.Inf(-1)},
		{"inf", math.NaN()},
		{"1_000", math.NaN()},
		{"abc", math.NaN()},
	}
	for _, tt := range tests {
		got := stringToNumber(tt.in)
		if !(got == tt.want || (math.IsNaN(got) && math.IsNaN(tt.want))) {
			t.Errorf("stringToNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestToInt32(t *testing.T) {
	tests := []struct {
		in   float64
		want int64
	}{
		{0, 0},
		{1.9, 1},
		{-1.9, -1},
		{4294967295, -1},
		{4294967296, 0},
		{2147483648, -2147483648},
		{1e300, 0},
		{math.Inf(1), 0},
		{math.NaN(), 0},
	}
	for _, tt := range tests {
		if got := toInt32(tt.in); got != tt.want {
			t.Errorf("toInt32(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
