package logging

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLevel(t *testing.T) {
	cases := []struct {
		in   int
		want slog.Level
	}{{-1, LevelVerbose}, {0, LevelVerbose}, {1, slog.LevelDebug}, {2, slog.LevelInfo}, {3, slog.LevelWarn}, {9, slog.LevelWarn}}
	for _, c := range cases {
		if got := Level(c.in); got != c.want {
			t.Errorf("Level(%d) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestConsoleIsLogfmt(t *testing.T) {
	var buf bytes.Buffer
	lg := NewConsole(&buf, LevelVerbose)
	lg.Log(t.Context(), LevelVerbose, "deep detail", "peer", "12D3")
	lg.Info("started", "addr", "0.0.0.0:7007", "note", "has space")
	out := buf.String()
	for _, want := range []string{"level=VERBOSE msg=\"deep detail\" peer=12D3", "level=INFO msg=started addr=0.0.0.0:7007 note=\"has space\""} {
		if !strings.Contains(out, want) {
			t.Errorf("console output %q lacks %q", out, want)
		}
	}
}

func TestFileLinesAndTee(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs", "nested")
	f, err := OpenFile(dir, "http-access.log", "http-access")
	if err != nil {
		t.Fatal(err)
	}
	f.now = func() time.Time { return time.Date(2024, 2, 1, 19, 43, 8, 0, time.UTC) }
	if err := f.WriteLine("ip=1.2.3.4 status=200\n"); err != nil {
		t.Fatal(err)
	}
	diag, err := OpenFile(dir, "diagnostics.log", "")
	if err != nil {
		t.Fatal(err)
	}
	diag.now = f.now
	var console bytes.Buffer
	lg := slog.New(Tee(NewConsole(&console, slog.LevelWarn).Handler(), FileHandler(diag, slog.LevelInfo)))
	lg.Info("only in file", "k", "v")
	lg.Warn("both")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := diag.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteLine("late"); err == nil {
		t.Error("write after close succeeded")
	}
	got, _ := os.ReadFile(filepath.Join(dir, "http-access.log"))
	if want := "[Thu, 01 Feb 2024 19:43:08 GMT] service=http-access ip=1.2.3.4 status=200\n"; string(got) != want {
		t.Errorf("access file = %q, want %q", got, want)
	}
	got, _ = os.ReadFile(filepath.Join(dir, "diagnostics.log"))
	want := "[Thu, 01 Feb 2024 19:43:08 GMT] level=INFO msg=\"only in file\" k=v\n[Thu, 01 Feb 2024 19:43:08 GMT] level=WARN msg=both\n"
	if string(got) != want {
		t.Errorf("diagnostics file = %q, want %q", got, want)
	}
	if strings.Contains(console.String(), "only in file") || !strings.Contains(console.String(), "msg=both") {
		t.Errorf("console = %q", console.String())
	}
}
