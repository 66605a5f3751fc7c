package trainers

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// fakeClock advances by step on every reading.
func fakeClock(step time.Duration) func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(step); return t }
}

func progressRun(t *testing.T, terminal bool) string {
	t.Helper()
	d := datasets.Blobs(100, 2, 1, 1)
	m := mustModel(t)(models.NewLogisticRegression(2, 2, models.WithSeed(1)))
	var out bytes.Buffer
	p := &Progress{W: &out, Terminal: terminal, Now: fakeClock(150 * time.Millisecond)}
	fit(t, m, d, Config{Epochs: 2, BatchSize: 32, ValidationSplit: 0.2, Seed: 1, Callbacks: []Callback{p}})
	return out.String()
}

func TestProgressPlain(t *testing.T) {
	out := progressRun(t, false)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("plain output has %d lines; want one per epoch:\n%s", len(lines), out)
	}
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\x1b") {
			t.Errorf("line %d has control characters: %q", i+1, l)
		}
	}
	// Plain output reads the clock at the epoch's start and end only: one
	// tick of 150 ms over 3 iterations.
	want := "Epoch 1/2 - 3/3 - 0s 50ms/step - accuracy: "
	if !strings.HasPrefix(lines[0], want) || !strings.Contains(lines[0], " - val_loss: ") {
		t.Errorf("line 1 = %q; want it to start %q and include val_loss", lines[0], want)
	}
}

func TestProgressTerminal(t *testing.T) {
	out := progressRun(t, true)
	if !strings.HasPrefix(out, "Epoch 1/2\n\r1/3 ") || !strings.Contains(out, "\nEpoch 2/2\n") {
		t.Errorf("terminal output lacks the epoch headers or the bar: %q", out)
	}
	// The closing line of an epoch shows the full bar and the validation.
	if !strings.Contains(out, "3/3 \x1b[1m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[2m\x1b[0m 0s 150ms/step - accuracy:") {
		t.Errorf("no closing line with a full bar: %q", out)
	}
}

func TestProgressFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{formatValue(0.09512), "0.0951"},
		{formatValue(0.00001234), "1.2340e-05"},
		{formatValue(0), "0.0000"},
		{formatElapsed(83 * time.Second), "1m 23s"},
		{formatETA(3725 * time.Second), "1:02:05"},
		{formatETA(75 * time.Second), "1:15"},
		{formatStep(4200 * time.Microsecond), "4ms/step"},
		{formatStep(85 * time.Microsecond), "85us/step"},
		{bar(&State{Iteration: 5, Iterations: 10}, false), "━━━━━━━━━━──────────"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q; want %q", tt.got, tt.want)
		}
	}
}
