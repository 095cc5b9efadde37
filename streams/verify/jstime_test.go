package verify

import (
	"testing"
	"time"
)

func TestParseCapabilityTime(t *testing.T) {
	ms := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMilli()
	}
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2024-06-19T20:04:42.464Z", ms("2024-06-19T20:04:42.464Z"), true},
		{"2024-06-19T20:04:42Z", ms("2024-06-19T20:04:42Z"), true},
		{"2024-06-19T20:04Z", ms("2024-06-19T20:04:00Z"), true},
		{"2024-06-19T20:04:42.4Z", ms("2024-06-19T20:04:42.4Z"), true},
		{"2024-06-19T20:04:42.4649999Z", ms("2024-06-19T20:04:42.464Z"), true},
		{"2024-06-19T22:04:42.464+02:00", ms("2024-06-19T20:04:42.464Z"), true},
		{"2024-06-19T18:04:42-02:00", ms("2024-06-19T20:04:42Z"), true},
		{"2024-06-19T20:04:42", ms("2024-06-19T20:04:42Z"), true},
		{"2024-06-19", ms("2024-06-19T00:00:00Z"), true},
		{"2024-06", ms("2024-06-01T00:00:00Z"), true},
		{"2024", ms("2024-01-01T00:00:00Z"), true},
		{"+275760-09-13T00:00:00Z", 8_640_000_000_000_000, true},
		{"-000001-01-01T00:00:00Z", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), true},
		{"2024-06-19T24:00:00Z", ms("2024-06-20T00:00:00Z"), true},
		{"9999-01-01T00:00:00.000Z", ms("9999-01-01T00:00:00Z"), true},

		{"", 0, false},
		{"next tuesday", 0, false},
		{"2024-02-30", 0, false},
		{"2024-13-01", 0, false},
		{"2024-06-19T24:00:01Z", 0, false},
		{"2024-06-19T20:60:00Z", 0, false},
		{"2024-06-19T20:04:42.Z", 0, false},
		{"2024-06-19T20Z", 0, false},
		{"2024-06-19 20:04:42Z", 0, false},
		{"2024-06-19T20:04:42+0200", 0, false},
		{"-000000-01-01", 0, false},
		{"24-06-19", 0, false},
		{"2024-06-19T20:04:42Zjunk", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseCapabilityTime(tt.in)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("parseCapabilityTime(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
