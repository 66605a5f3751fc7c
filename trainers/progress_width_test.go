package trainers

import (
	"strings"
	"testing"
)

func TestFitWidth(t *testing.T) {
	line := "12/12 \x1b[1m━━━━\x1b[0m\x1b[2m━━\x1b[0m 1s - loss: 0.5"
	if got := fitWidth(line, 0); got != line {
		t.Errorf("width 0 changed the line: %q", got)
	}
	got := fitWidth(line, 10)
	visible := 0
	for i := 0; i < len(got); i++ {
		if got[i] == '\x1b' {
			i = i + strings.IndexAny(got[i:], "mK")
			continue
		}
		if got[i]&0xc0 != 0x80 {
			visible++
		}
	}
	if visible != 9 || !strings.HasSuffix(got, "\x1b[0m") {
		t.Errorf("fitWidth(…, 10) = %q: %d visible characters; want 9 and a style reset", got, visible)
	}
	if got := formatLogs(map[string]float64{"loss": 2, "mse": 2, "val_loss": 1, "val_mse": 3}); strings.Contains(got, " mse") || !strings.Contains(got, "val_mse: 3") {
		t.Errorf("formatLogs = %q; want mse left out where it equals the loss", got)
	}
}
