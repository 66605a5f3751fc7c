package trainers

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Progress prints a training run as Keras does: "Epoch 3/10", then, on a
// terminal, a bar redrawn in place with the iteration count, the estimated
// time left and the running figures, and one closing line per epoch:
//
//	469/469 ━━━━━━━━━━━━━━━━━━━━ 2s 4ms/step - accuracy: 0.9712 - loss: 0.0951 - val_accuracy: 0.9740 - val_loss: 0.0867
//
// When the output is not a terminal it prints one plain line per epoch
// with no control characters.
type Progress struct {
	NopCallback
	// W receives the output.
	W io.Writer
	// Terminal redraws the bar during each epoch; set it when W is a
	// terminal.
	Terminal bool
	// Now returns the time (time.Now when nil); tests set it.
	Now func() time.Time
	// Width is the terminal's width in columns: a bar redrawn in place is
	// cut to fit it, since a line that wraps cannot be redrawn and leaves
	// a stale copy per redraw. 0 means no limit.
	Width int

	start, last time.Time
}

const barWidth = 20

func (p *Progress) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// OnEpochBegin prints the epoch header and starts the clock.
func (p *Progress) OnEpochBegin(s *State) error {
	p.start, p.last = p.now(), time.Time{}
	if p.Terminal {
		_, err := fmt.Fprintf(p.W, "Epoch %d/%d\n", s.Epoch, s.Epochs)
		return err
	}
	return nil
}

// OnBatchEnd redraws the bar, at most ten times a second.
func (p *Progress) OnBatchEnd(s *State) error {
	if !p.Terminal {
		return nil
	}
	now := p.now()
	if s.Iteration < s.Iterations && now.Sub(p.last) < 100*time.Millisecond {
		return nil
	}
	p.last = now
	elapsed := now.Sub(p.start)
	perStep := elapsed / time.Duration(s.Iteration)
	eta := perStep * time.Duration(s.Iterations-s.Iteration)
	line := fmt.Sprintf("%s %s %s %s%s", counter(s), bar(s, true), formatETA(eta), formatStep(perStep), formatLogs(s.Logs))
	_, err := fmt.Fprintf(p.W, "\r%s\x1b[K", fitWidth(line, p.Width))
	return err
}

// OnEpochEnd prints the epoch's closing line with the validation figures.
func (p *Progress) OnEpochEnd(s *State) error {
	elapsed := p.now().Sub(p.start)
	perStep := elapsed / time.Duration(max(s.Iteration, 1))
	if p.Terminal {
		line := fmt.Sprintf("%s %s %s %s%s", counter(s), bar(s, true), formatElapsed(elapsed), formatStep(perStep), formatLogs(s.Logs))
		_, err := fmt.Fprintf(p.W, "\r%s\x1b[K\n", fitWidth(line, p.Width))
		return err
	}
	_, err := fmt.Fprintf(p.W, "Epoch %d/%d - %s - %s %s%s\n", s.Epoch, s.Epochs, counter(s), formatElapsed(elapsed), formatStep(perStep), formatLogs(s.Logs))
	return err
}

func counter(s *State) string {
	w := len(fmt.Sprint(s.Iterations))
	return fmt.Sprintf("%*d/%d", w, s.Iteration, s.Iterations)
}

// bar draws the done part bold and the rest dim, as Keras 3 does.
func bar(s *State, color bool) string {
	done := barWidth * s.Iteration / max(s.Iterations, 1)
	if !color {
		return strings.Repeat("━", done) + strings.Repeat("─", barWidth-done)
	}
	return "\x1b[1m" + strings.Repeat("━", done) + "\x1b[0m\x1b[2m" + strings.Repeat("━", barWidth-done) + "\x1b[0m"
}

// formatLogs formats the figures in Keras' order (sorted by name) and
// precision.
// A metric equal to the loss (MSE under an MSE loss on targets that are
// not standardised) is left out: it would print the same number twice.
func formatLogs(logs map[string]float64) string {
	var b strings.Builder
	for _, k := range sortedKeys(logs) {
		if loss, ok := logs[strings.TrimSuffix(k, MSEName)+LossName]; ok && strings.HasSuffix(k, MSEName) && loss == logs[k] {
			continue
		}
		fmt.Fprintf(&b, " - %s: %s", k, formatValue(logs[k]))
	}
	return b.String()
}

func formatValue(v float64) string {
	if v == 0 || math.Abs(v) >= 1e-3 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("%.4f", v)
	}
	return fmt.Sprintf("%.4e", v)
}

func formatElapsed(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 60 {
		return fmt.Sprintf("%dm %ds", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}

func formatETA(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	switch {
	case s >= 3600:
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	case s >= 60:
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}

func formatStep(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.0fs/step", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%dms/step", d.Milliseconds())
	}
	return fmt.Sprintf("%dus/step", d.Microseconds())
}

// fitWidth cuts line to at most width-1 visible characters (the last
// column is left free, where some terminals wrap), keeping its escape
// sequences and resetting the style after a cut. Width 0 keeps it whole.
func fitWidth(line string, width int) string {
	if width <= 0 {
		return line
	}
	visible := 0
	for i := 0; i < len(line); {
		if line[i] == '\x1b' {
			j := i + 1
			if j < len(line) && line[j] == '[' {
				j++
				for j < len(line) && !(line[j] >= 0x40 && line[j] <= 0x7e) {
					j++
				}
				j++
			}
			i = j
			continue
		}
		if visible == width-1 {
			return line[:i] + "\x1b[0m"
		}
		_, size := utf8.DecodeRuneInString(line[i:])
		i += size
		visible++
	}
	return line
}
